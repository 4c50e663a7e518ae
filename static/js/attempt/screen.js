// The exam page's screen share (DESIGN §6, when the exam asks for it): after the camera, the student shares
// their entire screen (a window or a tab is refused and asked for again); a small still of it goes to the
// proctors at the camera's pace. Stopping the share is reported to the proctors (screen_share_stopped) and the
// page asks again. With the policy "required" the questions wait for the first share; nothing ends an attempt.
import { t } from "../i18n.js";
import { ScreenProblem, openScreen } from "../camera/screen-capture.js";
import { SnapshotSender } from "../camera/snapshots.js";

const $ = (id) => document.getElementById(id);

// kind -> [title, what to do]
const ASKS = {
  first: [t("Share your entire screen"),
    t("This exam also shows your proctors your entire screen. Press “Share my entire screen”, choose “Entire "
      + "screen” in the browser's list, then “Share”.")],
  not_monitor: [t("Share the entire screen, not a window or a tab"),
    t("You chose a window or a browser tab. Press “Share my entire screen” again and choose “Entire screen”.")],
  denied: [t("The screen was not shared"),
    t("The browser's question was cancelled, or the browser blocked screen sharing. Press “Share my entire "
      + "screen” again and choose your entire screen.")],
  stopped: [t("You stopped sharing your screen"),
    t("Your proctors have been told. Press “Share my entire screen” to share it again.")],
  unsupported: [t("This browser cannot share the screen"),
    t("Open the exam in an up-to-date Chrome, Edge or Firefox on a computer.")],
  failed: [t("The screen could not be shared"), t("Press “Share my entire screen” to try again.")],
};

const POLICY = {
  required: t("The questions stay hidden until your entire screen is shared, and the clock keeps running."),
  optional: t("You may also continue without sharing; your proctors are told."),
};

export class ExamScreen {
  /**
   * @param {object} options
   * @param {number} options.attemptId
   * @param {string} options.policy  required or optional (the camera's)
   * @param {{interval_seconds: number, width: number, max_bytes: number}} options.snapshot
   * @param {(kind: string, detail?: string) => void} options.report  a violation for the proctors
   * @param {(open: boolean) => void} options.onGate  whether the questions may show
   */
  constructor({ attemptId, policy, snapshot, report, onGate }) {
    this.attemptId = attemptId;
    this.policy = policy;
    this.report = report;
    this.onGate = onGate;
    this.stream = null;
    this.stopped = false;
    this.video = document.createElement("video");
    this.video.muted = true;
    this.sender = new SnapshotSender({
      attemptId, video: this.video, settings: snapshot, kind: "screen", onRefused: () => this.sender.stop(),
    });
    $("screen-share").addEventListener("click", () => this.share());
    $("screen-without").addEventListener("click", () => this.goWithout());
  }

  /** Ask for the first share; or keep `adopted`, the entire screen the pre-exam check shared; or go `without`,
   * as the student chose in the check (optional policy). */
  start(adopted = null, { without = false } = {}) {
    this.onGate(false);
    if (adopted) this.use(adopted);
    else if (without) this.goWithout({ focus: false });
    else this.ask("first");
  }

  ask(kind) {
    const [title, text] = ASKS[kind];
    $("screen-title").textContent = title;
    $("screen-text").textContent = text;
    $("screen-policy").textContent = POLICY[this.policy] ?? "";
    $("screen-without").hidden = this.policy !== "optional";
    $("screen-gate").dataset.kind = kind;
    $("screen-gate").hidden = false;
    $("screen-title").focus();
  }

  async share() {
    let stream;
    try {
      stream = await openScreen();
    } catch (error) {
      this.ask(error instanceof ScreenProblem ? error.kind : "failed");
      return;
    }
    await this.use(stream);
  }

  async use(stream) {
    this.stream = stream;
    if (this.stopped) {
      this.stopTracks();
      return;
    }
    this.stream.getVideoTracks()[0].addEventListener("ended", () => this.ended());
    $("screen-gate").hidden = true;
    this.onGate(true);
    this.video.srcObject = this.stream;
    // The stills start once the screen plays (a still of a video with no frame yet is skipped anyway).
    await this.video.play().catch(() => {});
    if (this.stream) this.sender.start();
  }

  /** The student stopped sharing (the browser's “Stop sharing”, or the screen went away). */
  ended() {
    if (this.stopped) return;
    this.sender.stop();
    this.stream = null;
    this.report("screen_share_stopped", "The student stopped sharing their screen.");
    this.ask("stopped");
  }

  /** Optional policy: the student goes on without sharing, and the proctors are told. */
  goWithout({ focus = true } = {}) {
    $("screen-gate").hidden = true;
    this.report("screen_share_stopped", "The student continues without sharing their screen.");
    this.onGate(true);
    if (focus) $("question-heading").focus();
  }

  stopTracks() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
  }

  /** The attempt is over (or went on in another window): the share ends, unreported. */
  stop() {
    this.stopped = true;
    this.sender.stop();
    this.stopTracks();
    $("screen-gate").hidden = true;
  }
}
