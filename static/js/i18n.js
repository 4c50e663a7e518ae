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

const ZONED = new Intl.DateTimeFormat(lang, {
  year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short",
});

/** "5 Dec 2026, 09:00 CET", in the page's language: a moment in the browser's time zone, the zone named ("—" for
 * none). The server's ISO times may carry microseconds, which Date.parse does not read everywhere. */
export function zonedMoment(iso) {
  const moment = Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(moment) ? "—" : ZONED.format(new Date(moment));
}
