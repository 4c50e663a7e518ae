// The room's news line: a polite live region that says what just happened (a violation, a warning
// acknowledged, an attempt started, paused or ended, a page gone offline), a burst said as one message.
import { statusText } from "../authoring/format.js";
import { t, tn } from "../i18n.js";
import { isolate } from "../isolate.js";
import { eventText, timeOfDay } from "./wording.js";

const GATHER_MS = 1500;
const SAID_AT_MOST = 3;
// What proctors did: the one who did it sees the answer beside the form, and status changes tell the outcome.
const PROCTOR_ACTIONS = new Set(["warning", "pause", "resume", "extend", "terminate", "note"]);

// "Ada Lovelace: submitted": a student's attempt that reached this status (in_progress is said otherwise).
const STATUS_NEWS = {
  not_started: (name) => t("%(name)s: not started", { name }),
  paused: (name) => t("%(name)s: paused", { name }),
  submitted: (name) => t("%(name)s: submitted", { name }),
  timed_out: (name) => t("%(name)s: timed out", { name }),
  terminated: (name) => t("%(name)s: terminated", { name }),
};

/** The words for one piece of news from Room.onChange, or null for what is not worth saying. A student's name
 * is set apart as its own direction; a student the roster does not name yet is "A student". */
function newsText(item) {
  const named = item.row?.name ? isolate(item.row.name) : null;
  const name = named ?? t("A student");
  if (item.event) {
    if (PROCTOR_ACTIONS.has(item.event.kind)) return null;
    const event = eventText(item.event, 60);
    return item.row ? t("%(name)s: %(event)s", { name, event }) : event;
  }
  if (item.status) {
    if (item.status === "in_progress" && item.before === "not_started") {
      return named ? t("%(name)s started the exam", { name: named }) : t("A student started the exam");
    }
    if (item.status === "in_progress") return null; // resumed or extended: the event says so
    return STATUS_NEWS[item.status]?.(name)
      ?? t("%(name)s: %(status)s", { name, status: statusText(item.status).toLowerCase() });
  }
  if (item.presence === "offline") {
    return named ? t("%(name)s went offline", { name: named }) : t("A student went offline");
  }
  return null;
}

export function newsLine(node) {
  let gathered = [];
  let timer = null;

  function flush() {
    timer = null;
    const said = gathered.slice(-SAID_AT_MOST);
    const more = gathered.length - said.length;
    const time = timeOfDay(new Date().toISOString());
    const news = said.join("; ");
    node.textContent = more
      ? tn("%(time)s — %(news)s (and %(n)s more: see the table)", "%(time)s — %(news)s (and %(n)s more: see the table)",
        more, { time, news })
      : t("%(time)s — %(news)s", { time, news });
    gathered = [];
  }

  return {
    add(items) {
      for (const item of items) {
        const text = newsText(item);
        if (text) gathered.push(text);
      }
      if (gathered.length && timer === null) timer = setTimeout(flush, GATHER_MS);
    },
    /** Say this now (with whatever was still gathering), e.g. that the connection was lost. */
    say(text) {
      gathered.push(text);
      clearTimeout(timer);
      flush();
    },
  };
}
