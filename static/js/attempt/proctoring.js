// Live proctoring on the exam page, from when the attempt is open until it ends: the socket to the proctors
// (socket.js), what the page reports to them (violations.js, and the full screen gate through report()), and
// what they send: the server's clock, pause and resume, warnings (warnings.js), announcements and the end.
import { t, zonedTime } from "../i18n.js";
import { parseTime } from "./clock.js";
import { ProctorSocket } from "./socket.js";
import { ViolationWatch } from "./violations.js";
import { WarningDialog } from "./warnings.js";

const $ = (id) => document.getElementById(id);

const STATE_TEXT = {
  connecting: t("Proctoring: connecting…"),
  connected: t("Proctoring connected"),
  reconnecting: t("Proctoring: reconnecting…"),
  refused: t("Proctoring refused this page"),
  expired: t("Proctoring stopped: your session has ended"),
};

// A state with the server's word on it (socket.js gives one only with a refusal: the server's reason, as sent).
const STATE_DETAIL = {
  refused: (reason) => t("Proctoring refused this page: %(reason)s", { reason }),
};

export class Proctoring {
  /**
   * @param {object} options
   * @param {number} options.attemptId
   * @param {object} options.page  what the page does on the server's word: time(message, t0, t1),
   *   pause(message), resume(message), end(message) for terminate, exam_closed and ended
   */
  constructor({ attemptId, page }) {
    this.page = page;
    this.socket = new ProctorSocket({
      attemptId,
      onMessage: (message, t0, t1) => this.received(message, t0, t1),
      onState: (state, detail) => this.showState(state, detail),
      onOutage: (lostAt, ms) => this.report("network_lost",
        `The connection to the proctors was lost for ${Math.round(ms / 1000)} s.`, lostAt),
    });
    this.watch = new ViolationWatch((kind, detail, at) => this.report(kind, detail, at));
    this.warnings = new WarningDialog((warningId) => this.socket.sendReliably({
      type: "warn_ack", warning_id: warningId,
    }));
    this.stopped = false;
  }

  start() {
    this.socket.start();
    this.watch.start();
  }

  /** The attempt is over: stop watching and close the socket. */
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.watch.stop();
    this.socket.stop();
    this.warnings.clear();
  }

  /** Tell the proctors about a violation; kept until the server has it on record. */
  report(kind, detail, at = Date.now()) {
    if (this.stopped) return;
    const message = { type: "violation", kind, client_time: at, id: crypto.randomUUID() };
    if (detail) message.detail = detail;
    this.socket.sendReliably(message);
  }

  received(message, t0, t1) {
    switch (message.type) {
      case "time":
        this.page.time(message, t0, t1);
        break;
      case "pause":
        this.page.pause(message);
        break;
      case "resume":
        this.page.resume(message);
        break;
      case "warn":
        this.warnings.add(message);
        break;
      case "announce":
        this.showAnnouncement(message);
        break;
      case "terminate":
      case "exam_closed":
      case "ended":
        this.stop();
        this.page.end(message);
        break;
      default:
        break; // a newer server's message this page does not know
    }
  }

  showState(state, detail) {
    const status = $("proctoring-status");
    status.dataset.state = state;
    status.textContent = detail && STATE_DETAIL[state] ? STATE_DETAIL[state](detail) : STATE_TEXT[state];
  }

  showAnnouncement({ text, at }) {
    const time = zonedTime(parseTime(at));
    const notice = document.createElement("p");
    notice.className = "notice announcement-text";
    const heading = document.createElement("strong");
    // The space after the colon separates the heading from the proctor's words (kept out of the message).
    heading.textContent = t("Announcement from the proctor, %(time)s:", { time }) + " ";
    const words = document.createElement("span");
    words.dir = "auto";
    words.textContent = text;
    notice.append(heading, words);
    $("announcement").replaceChildren(notice);
  }
}
