// How the dashboard puts the room into words: violation types, presence, time left and each kind of event.
import { isolate } from "../isolate.js";

const VIOLATIONS = {
  tab_hidden: "Left the exam tab",
  window_blur: "Left the window",
  page_reloaded: "Reloaded the page",
  fullscreen_exit: "Left full screen",
  copy: "Copied",
  paste: "Pasted",
  context_menu: "Opened the context menu",
  devtools_shortcut: "Pressed a developer tools shortcut",
  multiple_screens: "Has more than one screen",
  network_lost: "Lost the network",
  no_face: "No face on camera",
  multiple_faces: "More than one face on camera",
  camera_unavailable: "Camera off or unavailable",
  screen_share_stopped: "Screen sharing stopped",
};

/** The words for a violation type (lti_tool/proctor/violation_words.py says the same); unknown types read as
 * themselves. */
export function violationWords(kind) {
  return VIOLATIONS[kind] ?? String(kind).replace(/_/g, " ");
}

export const PRESENCE = { online: "Online", away: "Away", offline: "Offline" };

/** "12:05" or "1:02:05" for a time left in milliseconds. */
export function clockText(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** The time of day an ISO moment names, "10:32:05". */
export function timeOfDay(iso) {
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? "" : TIME.format(moment);
}

function quoted(text, max) {
  if (!text) return "";
  return `: “${isolate(text.length > max ? `${text.slice(0, max - 1)}…` : text)}”`;
}

/** One event as a sentence fragment ("Warned: “Eyes on…”"); `max` shortens quoted texts for table cells. */
export function eventText(event, max = 500) {
  switch (event.kind) {
    case "violation": return violationWords(event.detail) + quoted(event.text, max);
    case "warning": return `Warned${quoted(event.text, max)}`;
    case "warning_ack": return "Acknowledged the warning";
    case "pause": return `Paused${quoted(event.text, max)}`;
    case "resume": return "Resumed";
    case "extend": return `Given ${event.data?.minutes ?? "?"} more minutes`;
    case "terminate": return `Attempt ended by a proctor${quoted(event.text, max)}`;
    case "note": return `Note${quoted(event.text, max)}`;
    case "announce": return `Announced to all${quoted(event.text, max)}`;
    case "exam_closed": return "The exam was closed";
    case "exam_extended": return `Everyone was given ${event.data?.minutes ?? "?"} more minutes`;
    default: return String(event.kind).replace(/_/g, " ");
  }
}
