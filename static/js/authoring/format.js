// Dates, numbers and words as the authoring pages show them.
import { t } from "../i18n.js";

const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short",
});

/** "12 May 2026, 09:00 CEST" in the browser's time zone, the zone named, or `empty` for none. */
export function when(iso, empty = "—") {
  if (!iso) return empty;
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso : DATE_TIME.format(moment);
}

const pad = (n) => String(n).padStart(2, "0");

const SHORT = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });

/** "May 12, 09:00": for table cells. */
export function whenShort(iso, empty = "—") {
  if (!iso) return empty;
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso : SHORT.format(moment);
}

/** "0:06", "12:05" or "1:02:05": the time from one ISO moment to another, to the second, or `empty` for none. */
export function elapsed(fromIso, toIso, empty = "—") {
  if (!fromIso || !toIso) return empty;
  const total = Math.max(0, Math.round((new Date(toIso) - new Date(fromIso)) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = pad(total % 60);
  return hours ? `${hours}:${pad(minutes)}:${seconds}` : `${minutes}:${seconds}`;
}

/** Whether a value looks like an ISO 8601 moment the server sent. */
export function isMoment(value) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value);
}

/** An ISO moment as a `datetime-local` value in the browser's time zone ("" for none). */
export function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value as ISO 8601 with the browser's offset at that moment ("…T09:00:00+02:00"); null for "". */
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value); // a datetime-local string without zone is read as local time
  if (Number.isNaN(d.getTime())) return value; // let the server say what is wrong
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
    + `:${pad(d.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The browser's time zone name, for labels ("Europe/Paris"). */
export function zoneName() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || t("your time zone");
  } catch {
    return t("your time zone");
  }
}

/** "1 question", "3 questions". */
export function plural(count, one, many = `${one}s`) {
  return `${count} ${Number(count) === 1 ? one : many}`;
}

/** A number without needless decimals: 2, 2.5, 66.7. */
export function num(value) {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10);
}

/** The exam's window as words. */
export function windowText(exam) {
  if (!exam.opens_at && !exam.closes_at) return t("Always open");
  if (!exam.closes_at) return t("Opens %(opens)s", { opens: when(exam.opens_at) });
  if (!exam.opens_at) return t("Closes %(closes)s", { closes: when(exam.closes_at) });
  return t("%(opens)s – %(closes)s", { opens: when(exam.opens_at), closes: when(exam.closes_at) });
}

const STATUS = {
  not_started: t("Not started"), in_progress: t("In progress"), paused: t("Paused"), submitted: t("Submitted"),
  timed_out: t("Timed out"), terminated: t("Terminated"),
};

export function statusText(status) {
  return STATUS[status] || String(status).replace(/_/g, " ");
}

/** The exam id of `?id=N`, or null. */
export function examIdFromQuery() {
  const id = Number(new URLSearchParams(location.search).get("id"));
  return Number.isInteger(id) && id > 0 ? id : null;
}
