// The room's news line: a polite live region that says what just happened (a violation, a warning
// acknowledged, an attempt started, paused or ended, a page gone offline), a burst said as one message.
import { statusText } from "../authoring/format.js";
import { isolate } from "../isolate.js";
import { PRESENCE, eventText, timeOfDay } from "./wording.js";

const GATHER_MS = 1500;
const SAID_AT_MOST = 3;
// What proctors did: the one who did it sees the answer beside the form, and status changes tell the outcome.
const PROCTOR_ACTIONS = new Set(["warning", "pause", "resume", "extend", "terminate", "note"]);

/** The words for one piece of news from Room.onChange, or null for what is not worth saying. */
function newsText(item) {
  const name = item.row?.name ? isolate(item.row.name) : "A student";
  if (item.event) {
    if (PROCTOR_ACTIONS.has(item.event.kind)) return null;
    return item.row ? `${name}: ${eventText(item.event, 60)}` : eventText(item.event, 60);
  }
  if (item.status) {
    if (item.status === "in_progress" && item.before === "not_started") return `${name} started the exam`;
    if (item.status === "in_progress") return null; // resumed or extended: the event says so
    return `${name}: ${statusText(item.status).toLowerCase()}`;
  }
  if (item.presence === "offline") return `${name} went ${PRESENCE.offline.toLowerCase()}`;
  return null;
}

export function newsLine(node) {
  let gathered = [];
  let timer = null;

  function flush() {
    timer = null;
    const said = gathered.slice(-SAID_AT_MOST);
    const more = gathered.length - said.length;
    node.textContent = `${timeOfDay(new Date().toISOString())} — ${said.join("; ")}`
      + (more ? ` (and ${more} more: see the table)` : "");
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
