// When a student's results become visible, in words: the exam's review timing as the server sends it
// ({ when: never | immediately | after_close, closes_at }). Shared by the lobby, the exam page and the review page.
import { t, zonedMoment } from "./i18n.js";

/** The sentence a student reads before submitting, and while the review is not open yet. */
export function reviewPromise(timing) {
  if (timing.when === "immediately") return t("Your results will be shown right after you submit.");
  if (timing.when === "after_close") {
    return timing.closes_at
      ? t("Your results will be shown after the exam closes on %(moment)s.",
        { moment: zonedMoment(timing.closes_at) })
      : t("Your results will be shown after your teacher closes the exam.");
  }
  return t("Your teacher has chosen not to show results.");
}
