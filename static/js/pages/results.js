// A student's review of one finished attempt: the score, percent, pass or not, the grade that counts, and each
// question with the student's choice, the right answers and the explanation, as far as the server sends them
// (the exam's review options decide on the server). The test maker's texts go in as text, never as markup.
import { el } from "../authoring/dom.js";
import { showContent } from "../content.js";
import { lang, t, tn, zonedMoment } from "../i18n.js";
import { reviewPromise } from "../review-timing.js";
import { showOutcome } from "../review/outcome.js";
import { api, navigate, start } from "../session.js";

const $ = (id) => document.getElementById(id);
const mark = (name) => document.querySelector(`[data-mark="${name}"]`);
const markRow = (name) => document.querySelector(`[data-mark-row="${name}"]`);
const attemptId = Number(new URLSearchParams(location.search).get("id"));

// How attempt `number` ended.
const ENDINGS = {
  submitted: (number) => t("Attempt %(number)s: Submitted.", { number }),
  timed_out: (number) => t("Attempt %(number)s: Ended when time ran out.", { number }),
  terminated: (number) => t("Attempt %(number)s: Ended by the proctor.", { number }),
};

// The grade that counts, by the exam's grading method, passed or not (null: the exam has no pass mark); %(n)s is
// how many attempts the student has finished.
const GRADES = {
  highest: {
    null: (n, marks) => tn(
      "%(score)s out of %(maximum)s (%(percent)s), from the highest of your %(n)s attempt.",
      "%(score)s out of %(maximum)s (%(percent)s), from the highest of your %(n)s attempts.", n, marks),
    true: (n, marks) => tn(
      "%(score)s out of %(maximum)s (%(percent)s), from the highest of your %(n)s attempt: passed.",
      "%(score)s out of %(maximum)s (%(percent)s), from the highest of your %(n)s attempts: passed.", n, marks),
    false: (n, marks) => tn(
      "%(score)s out of %(maximum)s (%(percent)s), from the highest of your %(n)s attempt: not passed.",
      "%(score)s out of %(maximum)s (%(percent)s), from the highest of your %(n)s attempts: not passed.",
      n, marks),
  },
  average: {
    null: (n, marks) => tn(
      "%(score)s out of %(maximum)s (%(percent)s), from the average of your %(n)s attempt.",
      "%(score)s out of %(maximum)s (%(percent)s), from the average of your %(n)s attempts.", n, marks),
    true: (n, marks) => tn(
      "%(score)s out of %(maximum)s (%(percent)s), from the average of your %(n)s attempt: passed.",
      "%(score)s out of %(maximum)s (%(percent)s), from the average of your %(n)s attempts: passed.", n, marks),
    false: (n, marks) => tn(
      "%(score)s out of %(maximum)s (%(percent)s), from the average of your %(n)s attempt: not passed.",
      "%(score)s out of %(maximum)s (%(percent)s), from the average of your %(n)s attempts: not passed.",
      n, marks),
  },
  first: {
    null: (n, marks) => t("%(score)s out of %(maximum)s (%(percent)s), from your first attempt.", marks),
    true: (n, marks) => t("%(score)s out of %(maximum)s (%(percent)s), from your first attempt: passed.", marks),
    false: (n, marks) => t("%(score)s out of %(maximum)s (%(percent)s), from your first attempt: not passed.",
      marks),
  },
  last: {
    null: (n, marks) => t("%(score)s out of %(maximum)s (%(percent)s), from your last attempt.", marks),
    true: (n, marks) => t("%(score)s out of %(maximum)s (%(percent)s), from your last attempt: passed.", marks),
    false: (n, marks) => t("%(score)s out of %(maximum)s (%(percent)s), from your last attempt: not passed.",
      marks),
  },
};

// A percent as the server has it (33.3), in the page's language ("33.3%"; "33,3 %" in French).
const PERCENT = new Intl.NumberFormat(lang, { style: "unit", unit: "percent", maximumFractionDigits: 20 });
const percentText = (marks) => (marks.percent === null ? "—" : PERCENT.format(marks.percent));

function passText(marks) {
  const passMark = PERCENT.format(marks.pass_mark);
  return marks.passed ? t("Passed (the pass mark is %(mark)s)", { mark: passMark })
    : t("Not passed (the pass mark is %(mark)s)", { mark: passMark });
}

/** A question's points, as the server has them (2.5): not rounded or grouped as a count would be. */
function pointsText(question) {
  const n = question.points;
  return "earned" in question
    ? tn("%(earned)s of %(n)s point", "%(earned)s of %(n)s points", n, { n, earned: question.earned })
    : tn("%(n)s point", "%(n)s points", n, { n });
}

// How the student did on a question (the server's word for it), as the question's heading says it.
const OUTCOMES = {
  right: t("Right"), wrong: t("Wrong"), "partly right": t("Partly right"), "not answered": t("Not answered"),
};

function showSummary(review) {
  const { attempt, exam } = review;
  $("review-exam-title").textContent = exam.title;
  document.title = `${exam.title} · ${document.title}`;
  $("review-attempt").textContent = ENDINGS[attempt.status]?.(attempt.number)
    ?? t("Attempt %(number)s: %(status)s.", { number: attempt.number, status: attempt.status });
  $("review-finished").textContent = t("Finished %(moment)s.", { moment: zonedMoment(attempt.finished_at) });
  $("review-summary").hidden = false;
}

function showMarks({ score, grade }) {
  mark("score").textContent = t("%(score)s out of %(maximum)s", { score: score.score, maximum: score.max_score });
  mark("percent").textContent = percentText(score);
  markRow("passed").hidden = score.passed === null;
  if (score.passed !== null) mark("passed").textContent = passText(score);
  markRow("grade").hidden = grade.attempts < 2;
  const marks = { score: grade.score, maximum: grade.max_score, percent: percentText(grade) };
  const gradeText = GRADES[grade.method][String(grade.passed)](grade.attempts, marks);
  const counts = grade.counts ? t("This attempt counts toward it.") : t("This attempt does not count toward it.");
  mark("grade").textContent = `${gradeText} ${counts}`;
  $("review-marks").hidden = false;
}

function showAttempts(review) {
  if (review.attempts.length < 2) return;
  $("review-attempts").querySelector("ul").replaceChildren(...review.attempts.map((a) => el("li", {},
    a.id === review.attempt.id
      ? el("strong", { "aria-current": "page" }, t("Attempt %(number)s (shown)", { number: a.number }))
      : el("button", { type: "button", class: "secondary", onclick: () => navigate(`/exam/review?id=${a.id}`) },
        t("Attempt %(number)s", { number: a.number })))));
  $("review-attempts").hidden = false;
}

function questionHeading(question) {
  const number = question.number;
  const heading = el("h3", {});
  if (question.outcome) {
    // The outcome in its own element (its colour), placed where the sentence puts it.
    const outcome = el("span", { class: `outcome-${question.outcome.replace(" ", "-")}` },
      OUTCOMES[question.outcome] ?? question.outcome[0].toUpperCase() + question.outcome.slice(1));
    const [before, after] = t("Question %(number)s: %(outcome)s", { number }).split("%(outcome)s");
    heading.append(before, outcome, after ?? "");
  } else {
    heading.append(t("Question %(number)s", { number }));
  }
  heading.append(` · ${pointsText(question)}`);
  return heading;
}

function optionItem(option) {
  const tags = [option.chosen && t("Your answer"), option.correct && t("Right answer")].filter(Boolean);
  const classes = [option.chosen && "is-chosen", option.correct && "is-correct"].filter(Boolean).join(" ");
  return el("li", { class: classes || null },
    showContent(el("span", { dir: "auto" }), option.html),
    tags.length ? el("span", { class: "option-tags" }, tags.join(" · ")) : null);
}

function questionItem(question) {
  const kind = question.type === "multi" ? t("Choose all that apply") : t("Choose one");
  return el("li", { class: "review-question" },
    el("article", { "aria-label": t("Question %(number)s", { number: question.number }) },
      questionHeading(question),
      showContent(el("div", { class: "question-text rich", dir: "auto" }), question.html),
      el("p", { class: "meta" }, kind),
      el("ul", { class: "review-options" }, question.options.map(optionItem)),
      question.explanation
        ? el("div", { class: "explanation" }, el("h4", {}, t("Explanation")),
          showContent(el("div", { class: "rich", dir: "auto" }), question.explanation_html))
        : null));
}

function showReview(review) {
  showSummary(review);
  showAttempts(review);
  if (!review.available) {
    $("review-status").textContent = t("Your results are not shown yet.");
    $("review-later").textContent = reviewPromise(review.timing);
    $("review-later").hidden = false;
    return;
  }
  $("review-status").textContent = t("Your results for attempt %(number)s.", { number: review.attempt.number });
  if (review.score) showMarks(review);
  if (review.questions) {
    $("review-questions").querySelector("ol").replaceChildren(...review.questions.map(questionItem));
    $("review-questions").hidden = false;
  }
}

async function main() {
  $("review-back").addEventListener("click", () => navigate("/exam/lobby"));
  try {
    start();
  } catch {
    $("review-status").textContent = t("Your session has ended. Open the exam again from your course page.");
    return;
  }
  if (!Number.isInteger(attemptId) || attemptId <= 0) {
    $("review-status").textContent = t("No attempt was named. Open your results from the exam lobby.");
    return;
  }
  try {
    showReview(await api(`/api/attempts/${attemptId}/review`));
    await showOutcome($("review-outcome"), attemptId);
  } catch (error) {
    $("review-status").textContent = t("Your results could not be shown: %(reason)s", { reason: error.message });
  }
}

main();
