// Student lobby: who you are, the exam this link runs, and the way in (start, or continue an open attempt).
import { api, navigate } from "../session.js";
import { reviewPromise } from "../review-timing.js";
import { loadIdentity } from "./identity.js";

const $ = (id) => document.getElementById(id);
const fact = (name) => document.querySelector(`[data-fact="${name}"]`);
const status = $("lobby-status");

const ENDINGS = {
  submitted: "Submitted",
  timed_out: "Time ran out; your saved answers were submitted automatically",
  terminated: "Ended by the proctor",
};

function formatMoment(iso) {
  const when = new Date(Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1")));
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(when);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function describeWindow(exam) {
  if (exam.closed) return "Closed";
  const opens = exam.opens_at && formatMoment(exam.opens_at);
  const closes = exam.closes_at && formatMoment(exam.closes_at);
  if (opens && closes) return `From ${opens} to ${closes}`;
  if (opens) return `Opens ${opens}; no closing time`;
  if (closes) return `Open now until ${closes}`;
  return "Open at any time";
}

function showExam(exam, standing) {
  $("lobby-exam-title").textContent = exam.title;
  const instructions = $("lobby-instructions");
  instructions.textContent = exam.instructions || "";
  instructions.hidden = !exam.instructions;
  fact("window").textContent = describeWindow(exam);
  fact("duration").textContent = plural(exam.duration_minutes, "minute")
    + (exam.closes_at ? ", or less if the exam closes first" : "");
  fact("questions").textContent = String(exam.questions);
  fact("attempts").textContent = `${standing.attempts_used} of ${standing.attempts_allowed} used`;
  $("lobby-fullscreen").hidden = !exam.require_fullscreen;
  $("lobby-exam").hidden = false;
}

async function showLastAttempt(attemptId) {
  let state;
  try {
    state = await api(`/api/attempts/${attemptId}`);
  } catch {
    return; // the rest of the lobby still works
  }
  const result = state.result || {};
  fact("last-status").textContent = `Attempt ${state.number}: ${ENDINGS[state.status] || state.status.replace("_", " ")}.`;
  fact("last-finished").textContent = result.finished_at ? `Finished ${formatMoment(result.finished_at)}.` : "";
  const score = fact("last-score");
  score.hidden = typeof result.score !== "number";
  if (!score.hidden) score.textContent = `Score: ${result.score} out of ${result.max_score}`;
  fact("last-review-later").textContent = result.review_available ? "" : reviewPromise(state.review);
  const review = $("last-review");
  review.hidden = !result.review_available;
  review.addEventListener("click", () => navigate(`/exam/review?id=${attemptId}`));
  $("last-attempt").hidden = false;
}

function offerStart(exam, resuming) {
  const button = $("lobby-start");
  button.textContent = resuming ? "Continue your exam" : "Start the exam";
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    $("lobby-message").hidden = true;
    status.textContent = resuming ? "Opening your exam…" : "Starting your exam…";
    if (!resuming) {
      // A new attempt starts after the pre-exam check, on the exam's own page (static/js/check/).
      navigate(`/exam/attempt?exam=${exam.id}`);
      return;
    }
    try {
      const attempt = await api(`/api/exams/${exam.id}/attempts`, { method: "POST" });
      navigate(`/exam/attempt?id=${attempt.id}`);
    } catch (error) {
      status.textContent = "The exam could not be opened.";
      $("lobby-message").textContent = error.message;
      $("lobby-message").hidden = false;
      button.disabled = false;
    }
  });
}

async function main() {
  let current;
  try {
    await loadIdentity();
    current = await api("/api/exams/current");
  } catch (error) {
    status.textContent = `Could not load your exam: ${error.message}`;
    return;
  }
  const { exam, standing, message } = current;
  if (!exam) {
    // `message`: the link's exam is a draft its test maker has not published yet.
    status.textContent = message
      ? `${message} Your instructor has not published it; please check back later.`
      : "Your instructor has not set up an exam for this link yet. Please check back later.";
    return;
  }
  showExam(exam, standing);
  if (standing.last_attempt_id && standing.last_attempt_id !== standing.open_attempt_id) {
    await showLastAttempt(standing.last_attempt_id);
  }
  if (standing.open_attempt_id) {
    status.textContent = "You have an exam in progress. Continue where you left off: your answers are saved.";
    offerStart(exam, true);
  } else if (standing.can_start) {
    const title = document.createElement("bdi");
    title.textContent = exam.title;
    status.replaceChildren("“", title, "” is open. Press “Start the exam” for a short pre-exam check; the clock "
      + "starts only when you press “Start the exam” again at its end.");
    offerStart(exam, false);
  } else {
    status.textContent = standing.message || "You cannot start this exam now.";
  }
}

main();
