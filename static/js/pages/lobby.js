// Student lobby: who you are, the exam this link runs, and the way in (start, or continue an open attempt).
import { lang, t, tn, zonedMoment } from "../i18n.js";
import { reviewPromise } from "../review-timing.js";
import { api, navigate } from "../session.js";
import { loadIdentity } from "./identity.js";

const $ = (id) => document.getElementById(id);
const fact = (name) => document.querySelector(`[data-fact="${name}"]`);
const status = $("lobby-status");

// How attempt `number` ended.
const ENDINGS = {
  submitted: (number) => t("Attempt %(number)s: Submitted.", { number }),
  timed_out: (number) => t("Attempt %(number)s: Time ran out; your saved answers were submitted automatically.",
    { number }),
  terminated: (number) => t("Attempt %(number)s: Ended by the proctor.", { number }),
};

// Why a student cannot start (the server's reason code), in the page's language.
const REASONS = {
  not_published: () => t("This exam is not open yet."),
  not_open_yet: (exam) => t("This exam opens %(moment)s.", { moment: zonedMoment(exam.opens_at) }),
  closed: () => t("This exam is closed."),
  no_attempts_left: () => t("You have no attempts left."),
};

function describeWindow(exam) {
  if (exam.closed) return t("Closed");
  const opens = exam.opens_at && zonedMoment(exam.opens_at);
  const closes = exam.closes_at && zonedMoment(exam.closes_at);
  if (opens && closes) return t("From %(opens)s to %(closes)s", { opens, closes });
  if (opens) return t("Opens %(opens)s; no closing time", { opens });
  if (closes) return t("Open now until %(closes)s", { closes });
  return t("Open at any time");
}

function showExam(exam, standing) {
  $("lobby-exam-title").textContent = exam.title;
  const instructions = $("lobby-instructions");
  instructions.textContent = exam.instructions || "";
  instructions.hidden = !exam.instructions;
  fact("window").textContent = describeWindow(exam);
  fact("duration").textContent = exam.closes_at
    ? tn("%(n)s minute, or less if the exam closes first", "%(n)s minutes, or less if the exam closes first",
      exam.duration_minutes)
    : tn("%(n)s minute", "%(n)s minutes", exam.duration_minutes);
  fact("questions").textContent = new Intl.NumberFormat(lang).format(exam.questions_per_attempt);
  fact("attempts").textContent = t("%(used)s of %(allowed)s used",
    { used: standing.attempts_used, allowed: standing.attempts_allowed });
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
  fact("last-status").textContent = (ENDINGS[state.status] ?? ENDINGS.submitted)(state.number);
  fact("last-finished").textContent = result.finished_at
    ? t("Finished %(moment)s.", { moment: zonedMoment(result.finished_at) }) : "";
  const score = fact("last-score");
  score.hidden = typeof result.score !== "number";
  if (!score.hidden) {
    score.textContent = t("Score: %(score)s out of %(maximum)s", { score: result.score, maximum: result.max_score });
  }
  fact("last-review-later").textContent = result.review_available ? "" : reviewPromise(state.review);
  const review = $("last-review");
  review.hidden = !result.review_available;
  review.addEventListener("click", () => navigate(`/exam/review?id=${attemptId}`));
  $("last-attempt").hidden = false;
}

function offerStart(exam, resuming) {
  const button = $("lobby-start");
  button.textContent = resuming ? t("Continue your exam") : t("Start the exam");
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    $("lobby-message").hidden = true;
    status.textContent = resuming ? t("Opening your exam…") : t("Starting your exam…");
    if (!resuming) {
      // A new attempt starts after the pre-exam check, on the exam's own page (static/js/check/).
      navigate(`/exam/attempt?exam=${exam.id}`);
      return;
    }
    try {
      const attempt = await api(`/api/exams/${exam.id}/attempts`, { method: "POST" });
      navigate(`/exam/attempt?id=${attempt.id}`);
    } catch (error) {
      status.textContent = t("The exam could not be opened.");
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
    status.textContent = t("Could not load your exam: %(reason)s", { reason: error.message });
    return;
  }
  const { exam, standing, message } = current;
  if (!exam) {
    // `message`: the link's exam is a draft its test maker has not published yet.
    status.textContent = message
      ? t("This exam is not open yet. Your instructor has not published it; please check back later.")
      : t("Your instructor has not set up an exam for this link yet. Please check back later.");
    return;
  }
  showExam(exam, standing);
  if (standing.last_attempt_id && standing.last_attempt_id !== standing.open_attempt_id) {
    await showLastAttempt(standing.last_attempt_id);
  }
  if (standing.open_attempt_id) {
    status.textContent = t("You have an exam in progress. Continue where you left off: your answers are saved.");
    offerStart(exam, true);
  } else if (standing.can_start) {
    // The title is the test maker's, in its own direction: isolated, and placed where the sentence puts it.
    const title = document.createElement("bdi");
    title.textContent = exam.title;
    const [before, after] = t("“%(title)s” is open. Press “Start the exam” for a short pre-exam check; the clock "
      + "starts only when you press “Start the exam” again at its end.").split("%(title)s");
    status.replaceChildren(before, title, after ?? "");
    offerStart(exam, false);
  } else {
    status.textContent = REASONS[standing.reason]?.(exam) ?? standing.message ?? t("You cannot start this exam now.");
  }
}

main();
