// A student's review of one finished attempt: the score, percent, pass or not, the grade that counts, and each
// question with the student's choice, the right answers and the explanation, as far as the server sends them
// (the exam's review options decide on the server). The test maker's texts go in as text, never as markup.
import { el } from "../authoring/dom.js";
import { reviewPromise, zonedMoment } from "../review-timing.js";
import { api, navigate, start } from "../session.js";

const $ = (id) => document.getElementById(id);
const mark = (name) => document.querySelector(`[data-mark="${name}"]`);
const markRow = (name) => document.querySelector(`[data-mark-row="${name}"]`);
const attemptId = Number(new URLSearchParams(location.search).get("id"));

const ENDINGS = { submitted: "Submitted", timed_out: "Ended when time ran out", terminated: "Ended by the proctor" };
const METHODS = {
  highest: (n) => `the highest of your ${n} attempts`,
  average: (n) => `the average of your ${n} attempts`,
  first: () => "your first attempt",
  last: () => "your last attempt",
};

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
const percentText = (marks) => (marks.percent === null ? "—" : `${marks.percent}%`);

function passText(marks) {
  return `${marks.passed ? "Passed" : "Not passed"} (the pass mark is ${marks.pass_mark}%)`;
}

function showSummary(review) {
  const { attempt, exam } = review;
  $("review-exam-title").textContent = exam.title;
  document.title = `${exam.title} · ${document.title}`;
  $("review-attempt").textContent = `Attempt ${attempt.number}: ${ENDINGS[attempt.status] || attempt.status}.`;
  $("review-finished").textContent = `Finished ${zonedMoment(attempt.finished_at)}.`;
  $("review-summary").hidden = false;
}

function showMarks({ score, grade }) {
  mark("score").textContent = `${score.score} out of ${score.max_score}`;
  mark("percent").textContent = percentText(score);
  markRow("passed").hidden = score.passed === null;
  if (score.passed !== null) mark("passed").textContent = passText(score);
  markRow("grade").hidden = grade.attempts < 2;
  mark("grade").textContent = `${grade.score} out of ${grade.max_score} (${percentText(grade)}), from `
    + `${METHODS[grade.method](grade.attempts)}${grade.passed === null ? "" : `: ${grade.passed ? "passed" : "not passed"}`}. `
    + `This attempt ${grade.counts ? "counts" : "does not count"} toward it.`;
  $("review-marks").hidden = false;
}

function showAttempts(review) {
  if (review.attempts.length < 2) return;
  $("review-attempts").querySelector("ul").replaceChildren(...review.attempts.map((a) => el("li", {},
    a.id === review.attempt.id
      ? el("strong", { "aria-current": "page" }, `Attempt ${a.number} (shown)`)
      : el("button", { type: "button", class: "secondary", onclick: () => navigate(`/exam/review?id=${a.id}`) },
        `Attempt ${a.number}`))));
  $("review-attempts").hidden = false;
}

function questionHeading(question) {
  const points = "earned" in question
    ? `${question.earned} of ${plural(question.points, "point")}`
    : plural(question.points, "point");
  const heading = el("h3", {}, `Question ${question.number}`);
  if (question.outcome) {
    heading.append(": ", el("span", { class: `outcome-${question.outcome.replace(" ", "-")}` },
      question.outcome[0].toUpperCase() + question.outcome.slice(1)));
  }
  heading.append(` · ${points}`);
  return heading;
}

function optionItem(option) {
  const tags = [option.chosen && "Your answer", option.correct && "Right answer"].filter(Boolean);
  const classes = [option.chosen && "is-chosen", option.correct && "is-correct"].filter(Boolean).join(" ");
  return el("li", { class: classes || null },
    el("span", { dir: "auto" }, option.text),
    tags.length ? el("span", { class: "option-tags" }, tags.join(" · ")) : null);
}

function questionItem(question) {
  const kind = question.type === "multi" ? "Choose all that apply" : "Choose one";
  return el("li", { class: "review-question" },
    el("article", { "aria-label": `Question ${question.number}` },
      questionHeading(question),
      el("p", { class: "question-text", dir: "auto" }, question.text),
      el("p", { class: "meta" }, kind),
      el("ul", { class: "review-options" }, question.options.map(optionItem)),
      question.explanation
        ? el("div", { class: "explanation" }, el("h4", {}, "Explanation"),
          el("p", { dir: "auto" }, question.explanation))
        : null));
}

function showReview(review) {
  showSummary(review);
  showAttempts(review);
  if (!review.available) {
    $("review-status").textContent = "Your results are not shown yet.";
    $("review-later").textContent = reviewPromise(review.timing);
    $("review-later").hidden = false;
    return;
  }
  $("review-status").textContent = `Your results for attempt ${review.attempt.number}.`;
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
    $("review-status").textContent = "Your session has ended. Open the exam again from your course page.";
    return;
  }
  if (!Number.isInteger(attemptId) || attemptId <= 0) {
    $("review-status").textContent = "No attempt was named. Open your results from the exam lobby.";
    return;
  }
  try {
    showReview(await api(`/api/attempts/${attemptId}/review`));
  } catch (error) {
    $("review-status").textContent = `Your results could not be shown: ${error.message}`;
  }
}

main();
