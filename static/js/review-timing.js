// When a student's results become visible, in words: the exam's review timing as the server sends it
// ({ when: never | immediately | after_close, closes_at }). Shared by the exam page and the review page.

const ZONED = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short",
});

/** "5 Dec 2026, 09:00 CET": a moment in the browser's time zone, naming the zone. */
export function zonedMoment(iso) {
  return ZONED.format(new Date(Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"))));
}

/** The sentence a student reads before submitting, and while the review is not open yet. */
export function reviewPromise(timing) {
  if (timing.when === "immediately") return "Your results will be shown right after you submit.";
  if (timing.when === "after_close") {
    return timing.closes_at
      ? `Your results will be shown after the exam closes on ${zonedMoment(timing.closes_at)}.`
      : "Your results will be shown after your teacher closes the exam.";
  }
  return "Your teacher has chosen not to show results.";
}
