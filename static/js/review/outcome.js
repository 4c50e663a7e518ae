// A student's own proctoring review outcome, shown under their results when the exam shows reviews: the status,
// the reviewer's reason, and each flag with its decision. The server sends it only when the school allows it.
import { el } from "../authoring/dom.js";
import { violationWords } from "../dashboard/wording.js";
import { t, zonedMoment } from "../i18n.js";
import { api } from "../session.js";

/** The reviewer's words ending a sentence: with a full stop unless they end with their own. */
const sentence = (text) => (/[.!?]$/.test(text) ? text : `${text}.`);

// The review's status (the server's code) as a sentence: without a reason, and with the reviewer's (%(reason)s).
const STATUSES = {
  no_concern: [() => t("No concern."), (reason) => t("No concern: %(reason)s", { reason })],
  concern_noted: [() => t("Concern noted."), (reason) => t("Concern noted: %(reason)s", { reason })],
  referred: [() => t("Referred to the school's misconduct process."),
    (reason) => t("Referred to the school's misconduct process: %(reason)s", { reason })],
};

// A flag's decision (the server's code) after the flag and its time: without a reason, and with the reviewer's.
const DECISIONS = {
  dismissed: [(params) => t("%(flag)s, %(moment)s. Dismissed.", params),
    (params) => t("%(flag)s, %(moment)s. Dismissed: %(reason)s", params)],
  confirmed: [(params) => t("%(flag)s, %(moment)s. Confirmed.", params),
    (params) => t("%(flag)s, %(moment)s. Confirmed: %(reason)s", params)],
};

function flagLine(flag) {
  const params = { flag: violationWords(flag.type), moment: zonedMoment(flag.at) };
  const { decision } = flag;
  let text;
  if (!decision) {
    text = t("%(flag)s, %(moment)s. Not decided yet.", params);
  } else if (DECISIONS[decision.decision]) {
    const [plain, reasoned] = DECISIONS[decision.decision];
    text = decision.reason ? reasoned({ ...params, reason: sentence(decision.reason) }) : plain(params);
  } else {
    // A decision this page has no words for: the server's words for it.
    const words = sentence(`${decision.words}${decision.reason ? `: ${decision.reason}` : ""}`);
    text = t("%(flag)s, %(moment)s. %(decision)s", { ...params, decision: words });
  }
  return el("li", {}, text);
}

function statusText(outcome) {
  if (outcome.status === "not_reviewed") return t("No one has reviewed the proctoring record of this attempt yet.");
  const known = STATUSES[outcome.status];
  if (!known) return sentence(`${outcome.words}${outcome.reason ? `: ${outcome.reason}` : ""}`); // the server's words
  const [plain, reasoned] = known;
  return outcome.reason ? reasoned(sentence(outcome.reason)) : plain();
}

/** Fill `section` with the attempt's review outcome, or leave it hidden when the school does not show it. */
export async function showOutcome(section, attemptId) {
  let outcome;
  try {
    outcome = await api(`/api/attempts/${attemptId}/review-outcome`);
  } catch {
    return;
  }
  section.append(
    el("p", { id: "outcome-status", dir: "auto" }, statusText(outcome)),
    el("p", { class: "meta" }, t("Flags are signals a person looks at, never a verdict by themselves.")),
    outcome.flags.length
      ? el("ul", { id: "outcome-flags" }, outcome.flags.map(flagLine))
      : el("p", {}, t("Nothing was flagged during this attempt.")));
  section.hidden = false;
}
