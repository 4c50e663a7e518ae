// The page's words in its language: the server names the language on <html lang> and the catalogue in
// <meta name="catalogue"> (lti_tool/i18n/); a message with no translation there is shown as written (English).
// Messages are whole sentences with named placeholders, "%(name)s", as in the server's catalogue.

export const lang = document.documentElement.lang || "en";

const source = document.querySelector('meta[name="catalogue"]')?.content;
const messages = source
  ? await fetch(source).then((response) => (response.ok ? response.json() : {})).catch(() => ({}))
  : {};
const plurals = new Intl.PluralRules(lang);

function fill(text, params) {
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** t("Attempt %(number)s", { number: 2 }): the message in the page's language. */
export function t(message, params = {}) {
  const found = messages[message];
  return fill(typeof found === "string" ? found : message, params);
}

/** tn("%(n)s minute", "%(n)s minutes", 5): the plural form the language's rules pick for n (given as %(n)s). */
export function tn(singular, plural, n, params = {}) {
  const forms = messages[singular];
  const text = forms && typeof forms === "object" ? forms[plurals.select(n)] ?? forms.other
    : (n === 1 ? singular : plural); // not translated: the English message, by English's rule
  return fill(text, { n: new Intl.NumberFormat(lang).format(n), ...params });
}

/** The person's time zone in the LMS ("Europe/Paris": the launch's `tz`, carried from page to page), where the
 * browser knows it; else undefined, and times are in the browser's own zone. */
export const timeZone = knownZone(new URLSearchParams(location.search).get("tz"));

function knownZone(name) {
  try {
    return name ? new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone : undefined;
  } catch {
    return undefined; // RangeError: a zone this browser does not know
  }
}

const ZONED = new Intl.DateTimeFormat(lang, {
  year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short", timeZone,
});
const TIME = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZoneName: "short", timeZone });
const TIME_WITH_SECONDS = new Intl.DateTimeFormat(lang, {
  hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short", timeZone,
});

/** A moment (ISO text, Date or ms) as a Date, or null. The server's ISO times may carry microseconds, which
 * Date.parse does not read everywhere. */
function dateOf(moment) {
  const ms = moment instanceof Date || typeof moment === "number" ? Number(moment)
    : Date.parse(String(moment).replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** "5 Dec 2026, 09:00 CET", in the page's language and time zone, the zone named ("—" for none). */
export function zonedMoment(moment) {
  const date = dateOf(moment);
  return date ? ZONED.format(date) : "—";
}

/** "09:00 CET" (with seconds: "09:00:05 CET"): the time of day in the page's time zone, the zone named ("" for
 * none). */
export function zonedTime(moment, { seconds = false } = {}) {
  const date = dateOf(moment);
  return date ? (seconds ? TIME_WITH_SECONDS : TIME).format(date) : "";
}
