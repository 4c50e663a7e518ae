// Extra time from a proctor, told to the student: the deadline the server sends moves later while the attempt runs
// (or the time left grows while it is paused), and the page says by how much and until when, in a notice that
// screen readers read out politely.
import { lang, timeZone, tn } from "../i18n.js";
import { parseTime } from "./clock.js";

const $ = (id) => document.getElementById(id);
const END = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZoneName: "short", timeZone });

/** "14:05 (UTC)": the time of day of a moment, and its zone. */
function endText(ms) {
  const parts = END.formatToParts(new Date(ms));
  const zone = parts.find((part) => part.type === "timeZoneName")?.value;
  const time = parts.filter((part) => part.type !== "timeZoneName").map((part) => part.value).join("").trim();
  return zone ? `${time} (${zone})` : time;
}

export class ExtraTimeNotice {
  constructor() {
    this.last = null; // { status, budgetMs }: the deadline while running, the time left while paused
  }

  /** An attempt's state from the server: its status, its deadline and, when paused, its seconds_left. */
  seen(state) {
    const budgetMs = { in_progress: parseTime(state.deadline), paused: state.seconds_left * 1000 }[state.status];
    const previous = this.last;
    this.last = budgetMs === undefined ? null : { status: state.status, budgetMs };
    if (previous?.status !== state.status || budgetMs === undefined) return;
    const minutes = Math.round((budgetMs - previous.budgetMs) / 60000);
    if (minutes >= 1) this.show(minutes, state);
  }

  show(minutes, state) {
    const notice = document.createElement("p");
    notice.className = "notice notice-ok";
    notice.textContent = state.status === "in_progress"
      ? tn("A proctor gave you %(n)s more minute. New end: %(end)s.",
        "A proctor gave you %(n)s more minutes. New end: %(end)s.", minutes,
        { end: endText(parseTime(state.deadline)) })
      : tn("A proctor gave you %(n)s more minute. The clock starts again when the proctor resumes your exam.",
        "A proctor gave you %(n)s more minutes. The clock starts again when the proctor resumes your exam.", minutes);
    $("extra-time").replaceChildren(notice);
  }
}
