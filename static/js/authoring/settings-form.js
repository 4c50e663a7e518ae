// The edit page's Settings: title, instructions, window, duration, attempts, grading, options and review.
import { api, ApiError } from "../session.js";
import { busy, byId, messenger } from "./dom.js";
import { exam, examId, numberOrRaw, replaceExam } from "./edited-exam.js";
import { fieldErrors, notSaved } from "./field-errors.js";
import { fromLocalInput, toLocalInput } from "./format.js";
import { saved, watch } from "./unsaved.js";

const form = byId("settings-form");
const msg = messenger("settings-status", "settings-alert");
const errors = fieldErrors(form);
const REVIEW_PARTS = ["review_score", "review_answers", "review_right_answers", "review_explanations"];

function fillSettings() {
  const s = exam.settings;
  const f = form.elements;
  f.title.value = s.title;
  f.instructions.value = s.instructions || "";
  f.opens_at.value = toLocalInput(s.opens_at);
  f.closes_at.value = toLocalInput(s.closes_at);
  f.duration_minutes.value = s.duration_minutes;
  f.attempts_allowed.value = s.attempts_allowed;
  f.grading_method.value = s.grading_method;
  f.pass_mark.value = s.pass_mark ?? "";
  f.review_when.value = s.review_when;
  for (const name of ["shuffle_questions", "shuffle_options", ...REVIEW_PARTS, "partial_credit"]) {
    f[name].checked = Boolean(s[name]);
  }
  f.partial_credit.disabled = exam.has_attempts;
  errors.clear();
}

function body() {
  const f = form.elements;
  const sent = {
    title: f.title.value,
    instructions: f.instructions.value,
    opens_at: fromLocalInput(f.opens_at.value),
    closes_at: fromLocalInput(f.closes_at.value),
    duration_minutes: numberOrRaw(f.duration_minutes.value, null),
    attempts_allowed: numberOrRaw(f.attempts_allowed.value, null),
    grading_method: f.grading_method.value,
    pass_mark: numberOrRaw(f.pass_mark.value, null),
    shuffle_questions: f.shuffle_questions.checked,
    shuffle_options: f.shuffle_options.checked,
    review_when: f.review_when.value,
    ...Object.fromEntries(REVIEW_PARTS.map((name) => [name, f[name].checked])),
  };
  if (!exam.has_attempts) sent.partial_credit = f.partial_credit.checked;
  return sent;
}

function windowProblem() {
  const { opens_at: opens, closes_at: closes } = form.elements;
  return opens.value && closes.value && new Date(closes.value) <= new Date(opens.value)
    ? { closes_at: "Must be after the time it opens." } : {};
}

/** `onSaved()` runs after each save (the page's title shows the new one). */
export function settingsForm({ onSaved }) {
  fillSettings();
  watch(form, fillSettings);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    msg.clear();
    if (!errors.check(windowProblem)) {
      msg.fail(notSaved(form.querySelectorAll("[aria-invalid=true]").length));
      return;
    }
    busy(form.querySelector("button[type=submit]"), "Saving…", async () => {
      replaceExam(await api(`/api/exams/${examId}`, { method: "PATCH", body: body() }));
      fillSettings();
      saved(form);
      onSaved();
      msg.say(`Settings saved at ${new Date().toLocaleTimeString()}.`);
    }).catch((error) => {
      const fields = error instanceof ApiError ? error.details.fields || {} : {};
      const shown = errors.show(fields);
      msg.fail(shown ? notSaved(shown) : error.message);
    });
  });
}
