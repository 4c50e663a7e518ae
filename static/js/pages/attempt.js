// Taking the exam: one question at a time, every click saved at once, a countdown from the server's
// clock, and a page that never navigates away on its own (answers are never lost by leaving). Once the
// attempt is open, live proctoring (attempt/proctoring.js) pushes the clock, pauses, warnings and the end.
// tab-state.js first: it reads the fragment before session.js's start() strips it.
import { tabStore } from "../tab-state.js";
import { showContent } from "../content.js";
import { lang, t, tn, zonedMoment } from "../i18n.js";
import { navigate, start } from "../session.js";
import { ExamCamera } from "../attempt/camera.js";
import { Countdown, Milestones, ServerClock, describeRemaining, formatClock, parseTime } from "../attempt/clock.js";
import { ExtraTimeNotice } from "../attempt/extra-time.js";
import { wrapFocus } from "../attempt/focus-wrap.js";
import { showFlag } from "../attempt/flag-button.js";
import { FullscreenGate } from "../attempt/fullscreen.js";
import { Proctoring } from "../attempt/proctoring.js";
import { showPreviewBanner } from "../attempt/preview.js";
import { HttpError, NetworkError, isConnectionProblem, request } from "../attempt/request.js";
import { SaveQueue } from "../attempt/save-queue.js";
import { saveRoad } from "../attempt/save-road.js";
import { PreExamCheck } from "../check/pre-exam-check.js";
import { reviewPromise } from "../review-timing.js";

const $ = (id) => document.getElementById(id);
const RESYNC_MS = 60000; // re-read the server's clock and status this often
const PAUSED_POLL_MS = 10000; // while paused, look for the resume more often
const RETRY_SYNC_MS = 15000; // a re-sync that failed
const FINISH_POLL_MS = 2000; // time is up: until the server has ended the attempt
const LOW_TIME_MS = 5 * 60 * 1000;
const FINAL = new Set(["submitted", "timed_out", "terminated"]);
// "2, 4 and 5", the language's way.
const AND = new Intl.ListFormat(lang, { type: "conjunction" });
// A question's points the language's way (2,5 in French), every decimal kept, no grouping (English unchanged).
const POINTS = new Intl.NumberFormat(lang, { maximumFractionDigits: 20, useGrouping: false });

const params = new URLSearchParams(location.search);
// `?exam=N`: no attempt yet; the pre-exam check (static/js/check/) runs first and starts it.
let attemptId = Number(params.get("id"));
const examId = Number(params.get("exam"));
let opened = null; // what the pre-exam check opened (camera, screen) for the exam to keep
const clock = new ServerClock();
const milestones = new Milestones([10, 5, 1]);
const countdown = new Countdown(clock, { onTick, onZero });
const extraTime = new ExtraTimeNotice();
const page = {
  status: null,
  questions: [],
  index: 0,
  renderedId: null, // the question whose options are in the form now
  saveStatus: new Map(), // question id -> { kind: saving | saved | waiting | refused, message }
  changedAt: new Map(), // question id -> performance.now() of the student's last change
  timeUp: false, // the countdown reached zero; the server has not ended the attempt yet
  ended: false,
  submitting: false,
  syncTimer: null,
  noticeKind: null,
};
let queue = null;
let proctoring = null;
let fullscreen = null;
let camera = null;
let backPath = "/exam/lobby"; // a test maker's preview goes back to the exam list
// What keeps the questions hidden: full screen not entered, the camera not decided on (DESIGN §6).
const gates = { fullscreen: true, camera: false };

function openGate(name, open) {
  gates[name] = open;
  $("exam-body").hidden = !(gates.fullscreen && gates.camera);
}

// --- talking to the server ----------------------------------------------------------------------

/** An attempt state request; its `now` and `deadline` re-sync the clock (half the round trip added). */
async function fetchState(path, options) {
  const t0 = performance.now();
  const state = await request(path, options);
  clock.sync(state, t0, performance.now());
  if (queue && queue.size === 0) connectionChanged(false);
  return state;
}

const attemptPath = (suffix = "") => `/api/attempts/${attemptId}${suffix}`;

const position = { sent: null, wanted: null, busy: false };

/** Remember where the student is (best effort; only the latest position is sent, one at a time). */
async function savePosition(index) {
  position.wanted = index;
  if (position.busy) return;
  position.busy = true;
  while (position.wanted !== position.sent && !page.ended) {
    const wanted = position.wanted;
    try {
      await request(attemptPath("/position"), { method: "PUT", body: { position: wanted } });
      position.sent = wanted;
    } catch {
      break; // not worth a retry: the next move sends it again
    }
  }
  position.busy = false;
}

// --- loading and resuming -----------------------------------------------------------------------

async function load() {
  $("load-retry-row").hidden = true;
  $("load-status").hidden = false;
  $("load-status").textContent = t("Loading your exam…");
  let state;
  try {
    state = await fetchState(attemptPath());
  } catch (error) {
    $("load-status").textContent = error instanceof NetworkError
      ? t("Could not reach the server. Your saved answers are safe; check your connection and try again.")
      : t("Could not load your exam: %(reason)s", { reason: error.message });
    $("load-retry-row").hidden = !isConnectionProblem(error);
    return;
  }
  $("load-status").hidden = true;
  $("exam-title").textContent = state.exam.title;
  document.title = `${state.exam.title} · ${document.title}`;
  page.questions = state.questions.map((q) => ({ ...q, chosen: [...q.chosen] }));
  // Answers picked here but not acknowledged before the reload: show them and send them again.
  for (const [questionId, payload] of queue.entries()) {
    const question = page.questions.find((q) => q.id === questionId);
    if (!question) continue;
    question.chosen = [...payload.option_ids];
    question.flagged = Boolean(payload.flagged);
    page.saveStatus.set(questionId, { kind: "saving" });
  }
  page.index = clampIndex(state.position);
  position.sent = state.position;
  $("submit-review").textContent = reviewPromise(state.review);
  const previewing = showPreviewBanner(state);
  if (previewing) backPath = "/exam/manage";
  if (FINAL.has(state.status)) {
    showEnded(state, { moveFocus: false });
    return;
  }
  $("attempt-ui").hidden = false;
  renderAll();
  applyStatus(state);
  queue.startAfter(state.seq);
  if (previewing) openGate("camera", true);
  else startProctoring(state);
}

function startProctoring(state) {
  proctoring = new Proctoring({
    attemptId,
    page: { time: serverTime, pause: serverPause, resume: serverResume, end: serverEnded },
  });
  proctoring.start();
  openGate("camera", false);
  if (state.exam.require_fullscreen) {
    openGate("fullscreen", false);
    fullscreen = new FullscreenGate({
      onChange: (open) => openGate("fullscreen", open),
      onExit: (detail) => proctoring.report("fullscreen_exit", detail),
    });
  }
  camera = new ExamCamera({
    attemptId,
    adopt: opened,
    report: (kind, detail) => proctoring.report(kind, detail),
    // Full screen is asked for once the camera is settled: where the frame sends the student to a new
    // window, a full screen prompt beside that offer could not help.
    onGate: (open) => {
      if (open && fullscreen && !fullscreen.active) fullscreen.start();
      openGate("camera", open);
    },
    onHandOff: handOff,
  });
  camera.start();
}

/** Fetch the attempt again: the server's clock, its status (paused, ended) and answers saved elsewhere. */
async function resync() {
  clearTimeout(page.syncTimer);
  if (page.ended || page.timeUp) return;
  const began = performance.now();
  let state;
  try {
    state = await fetchState(attemptPath());
  } catch (error) {
    if (error instanceof HttpError && error.status < 500 && error.status !== 401) showNotice(error.message, "error");
    scheduleSync(RETRY_SYNC_MS);
    return;
  }
  if (page.ended) return;
  mergeQuestions(state, began);
  renderAll();
  applyStatus(state);
}

/** Take the server's answers, except for questions with unsent saves or changed since `since`. */
function mergeQuestions(state, since) {
  for (const fresh of state.questions) {
    const question = page.questions.find((q) => q.id === fresh.id);
    if (!question || queue.pending(fresh.id) || (page.changedAt.get(fresh.id) ?? -1) > since) continue;
    question.chosen = [...fresh.chosen];
    question.flagged = fresh.flagged;
  }
}

function scheduleSync(ms) {
  clearTimeout(page.syncTimer);
  page.syncTimer = setTimeout(resync, ms);
}

/** Act on the server's status: running, paused or ended. */
function applyStatus(state) {
  page.status = state.status;
  extraTime.seen(state);
  if (FINAL.has(state.status)) {
    showEnded(state, { moveFocus: true });
    return;
  }
  if (state.status === "paused") {
    countdown.stop();
    $("clock").textContent = formatClock(state.seconds_left * 1000);
    $("pause-left").textContent = describeRemaining(state.seconds_left * 1000);
    setLocked(true);
    showPaused(true);
    scheduleSync(PAUSED_POLL_MS);
    return;
  }
  showPaused(false);
  setLocked(false);
  countdown.start(); // calls onZero at once if the time is already up
  if (!page.timeUp) scheduleSync(RESYNC_MS);
}

/** The pause overlay over a page that takes no input (the clock shows the time left, stopped). */
function showPaused(paused) {
  const overlay = $("pause-overlay");
  if (overlay.hidden !== paused) return;
  overlay.hidden = !paused;
  $("attempt-ui").inert = paused;
  if (paused) {
    announce($("pause-title").textContent);
    $("pause-title").focus();
  } else {
    announce(t("The proctor resumed your exam."));
    ($("exam-body").hidden ? $("attempt-ui").querySelector("section:not([hidden]) .gate-actions button:not([hidden])")
      : $("question-heading"))?.focus();
  }
}

// --- what the proctoring socket says --------------------------------------------------------------

/** The server's clock and status (each heartbeat's answer, and extra time). */
function serverTime(message, t0, t1) {
  if (page.ended) return;
  clock.sync(message, t0, t1);
  if (message.status !== page.status) {
    resync(); // a change this page missed: the attempt's state says all of it
    return;
  }
  extraTime.seen(message);
  if (page.status === "in_progress" && !page.timeUp) countdown.start();
}

function serverPause(message) {
  if (page.ended) return;
  const now = performance.now();
  clock.sync(message, now, now);
  applyStatus({ status: "paused", seconds_left: (parseTime(message.deadline) - parseTime(message.paused_at)) / 1000 });
}

function serverResume(message) {
  if (page.ended) return;
  const now = performance.now();
  clock.sync(message, now, now);
  applyStatus(message);
}

/** Terminated, the exam closed, or ended elsewhere: lock the page at once, then show the ending as the
 * server has it (with the score, if shown), or as the message said when the server cannot be reached. */
async function serverEnded(message) {
  if (page.ended) return;
  setLocked(true);
  countdown.stop();
  clearTimeout(page.syncTimer);
  let state = null;
  try {
    state = await fetchState(attemptPath());
  } catch {
    // shown from the message below
  }
  if (!state || !FINAL.has(state.status)) {
    const status = { terminate: "terminated", exam_closed: "timed_out" }[message.type] ?? message.status;
    state = { status, result: { reason: message.type === "exam_closed" ? "exam closed" : message.reason } };
  }
  showEnded(state, { moveFocus: true });
}

// --- the countdown ------------------------------------------------------------------------------

function onTick(ms) {
  $("clock").textContent = formatClock(ms);
  $("clock-box").classList.toggle("low", ms <= LOW_TIME_MS);
  const minutes = milestones.check(ms);
  // The milestones are whole minutes under an hour (10, 5, 1): describeRemaining() would say just the minutes.
  if (minutes) announce(tn("%(n)s minute left.", "%(n)s minutes left.", minutes));
}

function onZero() {
  if (page.ended || page.status !== "in_progress" || page.timeUp) return;
  page.timeUp = true;
  clearTimeout(page.syncTimer);
  setLocked(true);
  const dialog = $("submit-dialog");
  if (dialog.open) dialog.close();
  showNotice(t("Time is up. Sending your last answers and finishing your exam…"), "time");
  announce(t("Time is up."));
  finishAfterTime();
}

/** Send what is queued (the server accepts saves for a few seconds of grace), then ask for the attempt
 * until the server has ended it. Never leaves the page. */
async function finishAfterTime() {
  await queue.flush();
  while (!page.ended) {
    try {
      const state = await fetchState(attemptPath());
      if (FINAL.has(state.status)) {
        showEnded(state, { moveFocus: true });
        return;
      }
      if (state.status === "paused" || clock.remainingMs() > 1000) {
        // The deadline moved (extra time) or the proctor paused: carry on.
        page.timeUp = false;
        hideNotice();
        mergeQuestions(state, Infinity);
        renderAll();
        applyStatus(state);
        return;
      }
    } catch (error) {
      showNotice(isConnectionProblem(error)
        ? t("Time is up. Waiting for the connection to finish your exam; your saved answers are safe.")
        : t("Time is up. %(reason)s", { reason: error.message }), "time");
    }
    await new Promise((resolve) => setTimeout(resolve, FINISH_POLL_MS));
  }
}

// --- answering ----------------------------------------------------------------------------------

function current() {
  return page.questions[page.index];
}

function clampIndex(index) {
  return Math.min(Math.max(0, Number.isInteger(index) ? index : 0), page.questions.length - 1);
}

function queueSave(question) {
  page.changedAt.set(question.id, performance.now());
  queue.enqueue(question.id, { option_ids: [...question.chosen], flagged: question.flagged });
}

function onAnswer() {
  if (isLocked()) return;
  const question = current();
  question.chosen = [...$("question-options").querySelectorAll("input:checked")].map((input) => Number(input.value));
  queueSave(question);
  renderNav();
  renderCount();
}

function onFlag() {
  if (isLocked()) return;
  const question = current();
  question.flagged = !question.flagged;
  queueSave(question);
  renderNav();
  renderQuestion();
}

function saveStatusChanged(questionId, kind, error) {
  page.saveStatus.set(questionId, { kind, message: error?.message });
  if (kind === "refused") {
    // Time's up, paused or ended (409): say so, and take the server's word for what was saved.
    showNotice(t("An answer was not saved: %(reason)s", { reason: error.message }), "error");
    page.changedAt.delete(questionId);
    resync();
  } else if (kind === "saved" && page.noticeKind === "error") {
    hideNotice(); // a later save went through: the refusal is old news
  }
  if (current()?.id === questionId) renderSaveState();
}

function connectionChanged(offline) {
  const banner = $("offline-banner");
  const text = offline ? t("You are offline — your answers are kept and will be sent when the connection returns")
    : "";
  if (banner.textContent !== text) banner.textContent = text;
}

// --- moving between questions -------------------------------------------------------------------

function goTo(index, { focus } = {}) {
  if (index < 0 || index >= page.questions.length) return;
  page.index = index;
  renderNav();
  renderQuestion();
  savePosition(index);
  if (focus === "heading" || document.activeElement?.disabled) {
    $("question-heading").focus();
  } else {
    announce(t("Question %(number)s of %(total)s", { number: index + 1, total: page.questions.length }));
  }
}

// --- rendering ----------------------------------------------------------------------------------

function renderAll() {
  renderNav();
  renderQuestion();
  renderCount();
}

function renderNav() {
  const list = $("question-nav");
  if (list.children.length !== page.questions.length) {
    list.replaceChildren(...page.questions.map((_, i) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "qnav-button";
      button.dataset.index = String(i);
      const number = document.createElement("span");
      number.className = "qnav-number";
      number.textContent = String(i + 1);
      const marks = document.createElement("span");
      marks.className = "qnav-marks";
      marks.setAttribute("aria-hidden", "true");
      button.append(number, marks);
      item.append(button);
      return item;
    }));
  }
  page.questions.forEach((question, i) => {
    const button = list.children[i].firstElementChild;
    const answered = question.chosen.length > 0;
    const isCurrent = i === page.index;
    button.querySelector(".qnav-marks").textContent = `${answered ? "✓" : ""}${question.flagged ? "⚑" : ""}`;
    button.setAttribute("aria-label", navLabel(i + 1, answered, question.flagged));
    button.classList.toggle("answered", answered);
    button.classList.toggle("flagged", question.flagged);
    button.classList.toggle("current", isCurrent);
    if (isCurrent) button.setAttribute("aria-current", "step");
    else button.removeAttribute("aria-current");
  });
}

/** A question's button in the list, for screen readers: its number, answered or not, flagged or not. */
function navLabel(number, answered, flagged) {
  if (flagged) {
    return answered ? t("Question %(number)s, answered, flagged for review", { number })
      : t("Question %(number)s, not answered, flagged for review", { number });
  }
  return answered ? t("Question %(number)s, answered", { number }) : t("Question %(number)s, not answered", { number });
}

function renderQuestion() {
  const question = current();
  if (!question) return;
  const total = page.questions.length;
  $("question-heading").textContent = t("Question %(number)s of %(total)s", { number: page.index + 1, total });
  // The points as the server has them (2.5, 0.3333): not rounded or grouped as a count would be.
  $("question-points").textContent = tn("%(n)s point", "%(n)s points", question.points,
    { n: POINTS.format(question.points) });
  showContent($("question-text"), question.html);
  $("question-hint").textContent = question.type === "multi" ? t("Choose all the answers that apply.")
    : t("Choose one answer.");
  const options = $("question-options");
  if (page.renderedId !== question.id) {
    options.replaceChildren(...question.options.map((option) => {
      const label = document.createElement("label");
      label.className = "option";
      const input = document.createElement("input");
      input.type = question.type === "multi" ? "checkbox" : "radio";
      input.name = `question-${question.id}`;
      input.value = String(option.id);
      const text = document.createElement("span");
      text.dir = "auto";
      showContent(text, option.html);
      label.append(input, text);
      return label;
    }));
    page.renderedId = question.id;
  }
  for (const input of options.querySelectorAll("input")) {
    input.checked = question.chosen.includes(Number(input.value));
  }
  showFlag($("flag"), question.flagged);
  $("question-flag-mark").hidden = !question.flagged;
  $("prev").disabled = page.index === 0;
  $("next").disabled = page.index === total - 1;
  renderSaveState();
}

const SAVE_TEXT = {
  saving: t("Saving…"),
  saved: t("Saved"),
  waiting: t("Not sent yet — kept on this device and retrying"),
};

function renderSaveState() {
  const question = current();
  if (!question) return;
  const element = $("save-state");
  const status = page.saveStatus.get(question.id);
  let kind = status?.kind;
  let text;
  if (kind === "refused") {
    text = t("Not saved: %(reason)s", { reason: status.message });
  } else if (kind) {
    text = SAVE_TEXT[kind];
  } else {
    kind = question.chosen.length ? "saved" : "empty";
    text = question.chosen.length ? t("Saved") : t("Not answered yet");
  }
  element.dataset.state = kind;
  if (element.textContent !== text) element.textContent = text;
}

function renderCount() {
  const answered = page.questions.filter((q) => q.chosen.length > 0).length;
  $("answered-count").textContent = t("%(answered)s of %(total)s answered", { answered, total: page.questions.length });
}

function isLocked() {
  return page.ended || page.timeUp || page.status !== "in_progress";
}

function setLocked(locked) {
  $("question-fieldset").disabled = locked;
  $("flag").disabled = locked;
  $("submit-open").disabled = locked;
}

function showNotice(text, kind) {
  const notice = $("attempt-notice");
  notice.textContent = text;
  notice.classList.toggle("notice-error", kind === "error" || kind === "time");
  notice.hidden = false;
  page.noticeKind = kind;
}

function hideNotice() {
  $("attempt-notice").hidden = true;
  page.noticeKind = null;
}

let announceTimer = null;
function announce(text) {
  const region = $("announcer");
  region.textContent = "";
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => { region.textContent = text; }, 100);
}

// How the attempt ended: the heading, what became of the answers, and when it ended.
const ENDINGS = {
  submitted: [t("Your exam has been submitted"), t("Your answers have been handed in."),
    (moment) => t("Submitted %(moment)s.", { moment })],
  timed_out: [t("Your exam has ended"), t("Time is up; your saved answers were submitted automatically."),
    (moment) => t("Ended %(moment)s.", { moment })],
  terminated: [t("Your exam was ended by the proctor"),
    t("The answers you saved before it ended were submitted and will be graded."),
    (moment) => t("Ended %(moment)s.", { moment })],
};

/** The attempt is over: lock the page and say how it ended (and the score, when the exam shows it). */
function showEnded(state, { moveFocus }) {
  if (page.ended) return; // submit and the time running out can both get here
  page.ended = true;
  page.status = state.status;
  countdown.stop();
  clearTimeout(page.syncTimer);
  proctoring?.stop();
  fullscreen?.stop();
  camera?.stop();
  $("pause-overlay").hidden = true;
  const unsent = queue.size;
  queue.stop();
  const dialog = $("submit-dialog");
  if (dialog.open) dialog.close();
  $("attempt-ui").hidden = true;
  $("load-status").hidden = true;
  const result = state.result || {};
  const [title, message, ended] = ENDINGS[state.status] || ENDINGS.timed_out;
  $("ended-title").textContent = title;
  let detail = [message];
  if (state.status === "timed_out" && result.reason === "exam closed") {
    detail = [t("The exam was closed; your saved answers were submitted automatically and will be graded.")];
  } else if (state.status === "terminated" && result.reason) {
    // The proctor's words, in their own direction: isolated, and placed where the sentence puts them.
    const reason = document.createElement("bdi");
    reason.textContent = result.reason;
    const [before, after] = t("Reason given: %(reason)s. The answers you saved before it ended were submitted and "
      + "will be graded.").split("%(reason)s");
    detail = [before, reason, after ?? ""];
  }
  $("ended-message").replaceChildren(...detail);
  $("ended-time").textContent = result.finished_at ? ended(zonedMoment(result.finished_at)) : "";
  const score = $("ended-score");
  score.hidden = typeof result.score !== "number";
  if (!score.hidden) {
    score.textContent = t("Score: %(score)s out of %(maximum)s", { score: result.score, maximum: result.max_score });
  }
  $("ended-review").hidden = !result.review_available;
  $("ended-review-later").textContent = state.review && !result.review_available ? reviewPromise(state.review) : "";
  const unsentNote = $("ended-unsent");
  unsentNote.hidden = unsent === 0;
  // "One change" is said only of exactly one; the plural forms serve every other count (21 is "one" in some languages).
  unsentNote.textContent = unsent === 1
    ? t("One change made after the last save could not be sent before the exam ended.")
    : tn("%(n)s change made after the last save could not be sent before the exam ended.",
      "%(n)s changes made after the last save could not be sent before the exam ended.", unsent);
  $("ended").classList.toggle("notice-ok", state.status === "submitted");
  $("ended").hidden = false;
  if (moveFocus) $("ended-title").focus();
}

/** The exam goes on in a new window (this frame may not use the camera): this page stands down. */
function handOff() {
  page.ended = true;
  countdown.stop();
  clearTimeout(page.syncTimer);
  proctoring?.stop();
  fullscreen?.stop();
  $("attempt-ui").hidden = true;
  if (!attemptId) {
    $("handed-off-message").textContent = t("Go through the pre-exam check there; you can close this page. "
      + "The clock has not started.");
  }
  $("handed-off").hidden = false;
  $("handed-off-title").focus();
}

// --- submitting ---------------------------------------------------------------------------------

function listNumbers(predicate) {
  return page.questions.flatMap((q, i) => (predicate(q) ? [i + 1] : []));
}

function openSubmit() {
  if (isLocked()) return;
  const unanswered = listNumbers((q) => q.chosen.length === 0);
  const flagged = listNumbers((q) => q.flagged);
  const total = page.questions.length;
  $("submit-answered").textContent = t("You have answered %(answered)s of %(total)s questions.",
    { answered: total - unanswered.length, total });
  $("submit-unanswered").textContent = unanswered.length
    ? tn("Not answered: question %(numbers)s.", "Not answered: questions %(numbers)s.", unanswered.length,
      { numbers: AND.format(unanswered.map(String)) })
    : t("Every question is answered.");
  $("submit-flagged").textContent = flagged.length
    ? tn("Flagged for review: question %(numbers)s.", "Flagged for review: questions %(numbers)s.", flagged.length,
      { numbers: AND.format(flagged.map(String)) })
    : t("No question is flagged for review.");
  $("submit-error").hidden = true;
  $("submit-progress").textContent = "";
  setSubmitBusy(false);
  const dialog = $("submit-dialog");
  dialog.showModal();
  $("submit-cancel").focus();
}

function setSubmitBusy(busy) {
  page.submitting = busy;
  $("submit-confirm").disabled = busy;
  $("submit-cancel").disabled = busy;
}

function submitFailed(text) {
  $("submit-progress").textContent = "";
  $("submit-error").textContent = text;
  $("submit-error").hidden = false;
  setSubmitBusy(false);
  $("submit-confirm").focus();
}

async function confirmSubmit() {
  setSubmitBusy(true);
  $("submit-error").hidden = true;
  $("submit-progress").textContent = t("Sending your last answers…");
  if (!(await queue.flush())) {
    submitFailed(t("Some answers have not reached the server yet because the connection is down. They are kept on "
      + "this device; submit again when the connection returns."));
    return;
  }
  if (page.ended) return;
  $("submit-progress").textContent = t("Submitting…");
  let state;
  try {
    state = await fetchState(attemptPath("/submit"), { method: "POST" });
  } catch (error) {
    submitFailed(isConnectionProblem(error)
      ? t("Could not reach the server; your exam has not been submitted yet. Try again in a moment.")
      : t("Your exam was not submitted: %(reason)s", { reason: error.message }));
    if (!isConnectionProblem(error)) resync();
    return;
  }
  page.submitting = false;
  $("submit-dialog").close();
  showEnded(state, { moveFocus: true });
}

// --- start --------------------------------------------------------------------------------------

function wire() {
  $("question-form").addEventListener("submit", (event) => event.preventDefault());
  $("question-options").addEventListener("change", onAnswer);
  $("flag").addEventListener("click", onFlag);
  $("prev").addEventListener("click", () => goTo(page.index - 1));
  $("next").addEventListener("click", () => goTo(page.index + 1));
  $("question-nav").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-index]");
    if (button) goTo(Number(button.dataset.index), { focus: "heading" });
  });
  $("submit-open").addEventListener("click", openSubmit);
  $("submit-cancel").addEventListener("click", () => $("submit-dialog").close());
  $("submit-confirm").addEventListener("click", confirmSubmit);
  $("submit-dialog").addEventListener("cancel", (event) => {
    if (page.submitting) event.preventDefault(); // Escape while sending: let it finish
  });
  $("submit-dialog").addEventListener("close", () => {
    if (!page.ended && !$("submit-open").disabled) $("submit-open").focus();
  });
  $("load-retry").addEventListener("click", load);
  $("back-to-lobby").addEventListener("click", () => navigate(backPath));
  $("ended-review").addEventListener("click", () => navigate(`/exam/review?id=${attemptId}`));
  window.addEventListener("online", () => { if (!page.ended && page.status) resync(); });
  // Back from a hidden tab (whose timers the browser throttles): check the status and clock at once.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !page.ended && page.status) resync();
  });
}

function main() {
  wrapFocus();
  try {
    start();
  } catch {
    return; // no launch: session.js says to open the exam from the LMS
  }
  if (Number.isInteger(attemptId) && attemptId > 0) {
    openAttempt();
  } else if (Number.isInteger(examId) && examId > 0) {
    new PreExamCheck({ examId, onStarted: started, onHandOff: handOff }).start();
  } else {
    $("load-status").textContent = t("No exam attempt was named. Open the exam from the lobby.");
  }
}

/** The pre-exam check started the attempt: from here on the page is the attempt's (a reload resumes it). */
function started(attempt, openedByCheck) {
  attemptId = attempt.id;
  opened = openedByCheck;
  const query = new URLSearchParams(location.search);
  query.delete("exam");
  query.set("id", attemptId); // and the page's language and time zone, if named, stay for a reload
  history.replaceState(null, "", `${location.pathname}?${query}${location.hash}`);
  openAttempt();
}

function openAttempt() {
  queue = new SaveQueue({
    store: tabStore,
    storageKey: `proctor-lti:unsent-answers:${attemptId}`,
    send: saveRoad({ socket: () => proctoring?.socket, path: (questionId) => attemptPath(`/answers/${questionId}`) }),
    onStatus: saveStatusChanged,
    onConnection: connectionChanged,
  });
  wire();
  load();
}

main();
