// How the dashboard puts the room into words: violation types, presence, time left and each kind of event.
import { t, tn, zonedTime } from "../i18n.js";
import { isolate } from "../isolate.js";

const VIOLATIONS = {
  tab_hidden: t("Left the exam tab"),
  window_blur: t("Left the window"),
  page_reloaded: t("Reloaded the page"),
  fullscreen_exit: t("Left full screen"),
  copy: t("Copied"),
  paste: t("Pasted"),
  context_menu: t("Opened the context menu"),
  devtools_shortcut: t("Pressed a developer tools shortcut"),
  multiple_screens: t("Has more than one screen"),
  network_lost: t("Lost the network"),
  no_face: t("No face on camera"),
  multiple_faces: t("More than one face on camera"),
  camera_unavailable: t("Camera off or unavailable"),
  screen_share_stopped: t("Screen sharing stopped"),
};

/** The words for a violation type (lti_tool/proctor/violation_words.py says the same); unknown types read as
 * themselves. */
export function violationWords(kind) {
  return VIOLATIONS[kind] ?? String(kind).replace(/_/g, " ");
}

export const PRESENCE = { online: t("Online"), away: t("Away"), offline: t("Offline") };

/** "12:05" or "1:02:05" for a time left in milliseconds. */
export function clockText(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** The time of day an ISO moment names, its zone named: "10:32:05 CET". */
export function timeOfDay(iso) {
  return zonedTime(iso, { seconds: true });
}

/** A text people wrote (a warning, a note), shortened to `max` characters and isolated in its own direction. */
function quoted(text, max) {
  return isolate(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

// Each kind of event as words: without its text, and with it quoted (%(text)s), one whole message each.
const WITH_TEXT = {
  warning: [() => t("Warned"), (text) => t("Warned: “%(text)s”", { text })],
  pause: [() => t("Paused"), (text) => t("Paused: “%(text)s”", { text })],
  terminate: [() => t("Attempt ended by a proctor"), (text) => t("Attempt ended by a proctor: “%(text)s”", { text })],
  note: [() => t("Note"), (text) => t("Note: “%(text)s”", { text })],
  announce: [() => t("Announced to all"), (text) => t("Announced to all: “%(text)s”", { text })],
};

/** One event as a sentence fragment ("Warned: “Eyes on…”"); `max` shortens quoted texts for table cells. */
export function eventText(event, max = 500) {
  const minutes = event.data?.minutes;
  const known = typeof minutes === "number";
  switch (event.kind) {
    case "violation": {
      const violation = violationWords(event.detail);
      return event.text ? t("%(violation)s: “%(text)s”", { violation, text: quoted(event.text, max) }) : violation;
    }
    case "warning":
    case "pause":
    case "terminate":
    case "note":
    case "announce": {
      const [plain, withText] = WITH_TEXT[event.kind];
      return event.text ? withText(quoted(event.text, max)) : plain();
    }
    case "warning_ack": return t("Acknowledged the warning");
    case "resume": return t("Resumed");
    case "extend": return known ? tn("Given %(n)s more minute", "Given %(n)s more minutes", minutes)
      : t("Given more minutes");
    case "exam_closed": return t("The exam was closed");
    case "exam_extended": return known
      ? tn("Everyone was given %(n)s more minute", "Everyone was given %(n)s more minutes", minutes)
      : t("Everyone was given more minutes");
    default: return String(event.kind).replace(/_/g, " ");
  }
}
