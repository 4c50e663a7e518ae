// How the review after the exam puts its decisions into words (lti_tool/proctor/review_decisions.py says the same).
import { t } from "../i18n.js";

export const STATUS_WORDS = {
  not_reviewed: t("Not reviewed"),
  no_concern: t("No concern"),
  concern_noted: t("Concern noted"),
  referred: t("Referred to the school's misconduct process"),
};

export const DECISION_WORDS = { dismissed: t("Dismissed"), confirmed: t("Confirmed") };

const ENDED = { submitted: t("Submitted"), timed_out: t("Time ran out"), terminated: t("Closed by a proctor"),
  in_progress: t("Still in progress"), paused: t("Paused") };

export function endedWords(status) {
  return ENDED[status] ?? status;
}
