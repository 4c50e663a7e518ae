// Editing one exam: settings, questions (form, order, delete), import with preview, export, extra time,
// proctors, and closing it now.
import { download, upload } from "../authoring/http.js";
import { append, busy, byId, confirmInline, el, messenger } from "../authoring/dom.js";
import { examIdFromQuery, fromLocalInput, num, plural, toLocalInput, zoneName } from "../authoring/format.js";
import { fillNav } from "../authoring/nav.js";
import { proctorPicker } from "../authoring/proctor-picker.js";
import { publishingControls, stateBadge } from "../authoring/publishing.js";
import { questionForm } from "../authoring/question-form.js";
import { fitsUploadLimit } from "../authoring/upload-limit.js";
import { api, ApiError, start } from "../session.js";

const examId = examIdFromQuery();
const page = messenger("edit-status", "edit-alert");
let exam = null;
let editor = null; // the open question form, if any: { form, questionId }

// --- settings -----------------------------------------------------------------------------------

const settingsForm = byId("settings-form");
const settingsMsg = messenger("settings-status", "settings-alert");
const FIELD_LABELS = {
  title: "Title", instructions: "Instructions", opens_at: "Opens", closes_at: "Closes",
  duration_minutes: "Duration (minutes)", attempts_allowed: "Attempts allowed", pass_mark: "Pass mark",
  grading_method: "Grade sent to the course gradebook",
  shuffle_questions: "Shuffle questions", shuffle_options: "Shuffle options",
  review_when: "When a student sees the review", review_score: "The score", review_answers: "The student's answers",
  review_right_answers: "The right answers", review_explanations: "The explanations", partial_credit: "Partial credit",
  require_fullscreen: "Require full screen",
};

const REVIEW_PARTS = ["review_score", "review_answers", "review_right_answers", "review_explanations"];

function fillSettings() {
  const s = exam.settings;
  const f = settingsForm.elements;
  f.title.value = s.title;
  f.instructions.value = s.instructions || "";
  f.opens_at.value = toLocalInput(s.opens_at);
  f.closes_at.value = toLocalInput(s.closes_at);
  f.duration_minutes.value = s.duration_minutes;
  f.attempts_allowed.value = s.attempts_allowed;
  f.grading_method.value = s.grading_method;
  f.pass_mark.value = s.pass_mark ?? "";
  f.review_when.value = s.review_when;
  for (const name of ["shuffle_questions", "shuffle_options", ...REVIEW_PARTS, "partial_credit", "require_fullscreen"]) {
    f[name].checked = Boolean(s[name]);
  }
  f.partial_credit.disabled = exam.has_attempts;
}

function numberOrRaw(value, empty) {
  const raw = value.trim();
  if (raw === "") return empty;
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw; // not a number: the server says what is wrong with it
}

function settingsBody() {
  const f = settingsForm.elements;
  const body = {
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
    require_fullscreen: f.require_fullscreen.checked,
  };
  if (!exam.has_attempts) body.partial_credit = f.partial_credit.checked;
  return body;
}

/** The server names fields ("duration_minutes must be …"): show their labels, and mark those inputs. */
function readableSettingsError(message) {
  let text = message;
  for (const [name, label] of Object.entries(FIELD_LABELS)) {
    const input = settingsForm.elements[name];
    const named = new RegExp(`\\b${name}\\b`, "g");
    if (named.test(message)) {
      input?.setAttribute("aria-invalid", "true");
      text = text.replace(named, `“${label}”`);
    }
  }
  return text;
}

settingsForm.addEventListener("submit", (event) => {
  event.preventDefault();
  for (const input of settingsForm.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const button = settingsForm.querySelector("button[type=submit]");
  busy(button, "Saving…", async () => {
    exam = await api(`/api/exams/${examId}`, { method: "PATCH", body: settingsBody() });
    fillSettings();
    showTitle();
    settingsMsg.say(`Settings saved at ${new Date().toLocaleTimeString()}.`);
  }).catch((error) => {
    settingsMsg.fail(readableSettingsError(error.message));
    settingsForm.querySelector("[aria-invalid=true]")?.focus();
  });
});

function showTitle() {
  byId("page-title").textContent = `Edit “${exam.title}”`;
  document.title = `Edit ${exam.title} · ${document.title.split(" · ").pop()}`;
  byId("publish-state").replaceChildren(
    el("p", { class: "meta" }, "This exam is ", stateBadge(exam),
      exam.published ? ": its students can open it." : ": students cannot see it until you publish it."),
    publishingControls(exam, { onChange: published, onError: (error) => page.fail(error.message) }));
}

async function published(changed) {
  await reload();
  showTitle();
  page.say(changed.published ? "Published: students can open the exam." : "Back to draft: students cannot see it.");
}

// --- camera -------------------------------------------------------------------------------------

const cameraForm = byId("camera-form");
const cameraMsg = messenger("camera-status", "camera-alert");
const CAMERA_NUMBERS = { snapshot_interval_seconds: "Seconds between pictures",
  snapshot_width: "Picture width (pixels)", retention_days: "Keep pictures for (days)" };

function fillCamera(settings) {
  const f = cameraForm.elements;
  f.policy.value = settings.policy;
  f.face_checks.checked = settings.face_checks;
  f.screen_share.checked = settings.screen_share;
  for (const name of Object.keys(CAMERA_NUMBERS)) f[name].value = settings[name];
}

cameraForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const f = cameraForm.elements;
  for (const input of cameraForm.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const body = { policy: f.policy.value, face_checks: f.face_checks.checked,
    screen_share: f.screen_share.checked };
  for (const name of Object.keys(CAMERA_NUMBERS)) body[name] = numberOrRaw(f[name].value, null);
  busy(cameraForm.querySelector("button[type=submit]"), "Saving…", async () => {
    fillCamera(await api(`/api/exams/${examId}/camera/settings`, { method: "PUT", body }));
    cameraMsg.say(`Camera settings saved at ${new Date().toLocaleTimeString()}.`);
  }).catch((error) => {
    let text = error.message;
    for (const [name, label] of Object.entries(CAMERA_NUMBERS)) {
      if (!text.includes(name.replace(/_/g, " "))) continue;
      text = text.replace(name.replace(/_/g, " "), `“${label}”`);
      f[name].setAttribute("aria-invalid", "true");
    }
    cameraMsg.fail(text);
    cameraForm.querySelector("[aria-invalid=true]")?.focus();
  });
});

// --- questions ----------------------------------------------------------------------------------

const questionList = byId("question-list");
const questionsMsg = messenger("questions-status", "questions-alert");
const addButton = byId("add-question");

const TYPE_NAMES = { single: "Single answer", multi: "Multiple answers" };

function renderQuestions({ focus } = {}) {
  const questions = exam.question_list;
  byId("question-count").textContent = `(${questions.length})`;
  byId("no-questions").hidden = questions.length > 0;
  questionList.replaceChildren(...questions.map((q, index) => questionItem(q, index, questions.length)));
  addButton.hidden = exam.has_attempts;
  if (focus) questionList.querySelector(focus)?.focus();
}

function questionItem(q, index, count) {
  const number = index + 1;
  const titleId = `q-${q.id}-title`;
  const item = el("li", { class: "question", "data-question-id": q.id, "aria-labelledby": titleId });
  const head = el("div", { class: "question-head" },
    el("h3", { id: titleId }, `Question ${number}`),
    el("span", { class: "meta" }, `${TYPE_NAMES[q.type] || q.type} · ${plural(num(q.points), "point")}`));
  const options = el("ul", { class: "option-list", "aria-label": `Options of question ${number}` },
    q.options.map((o) => el("li", { class: o.correct ? "correct" : "" },
      el("span", { class: "mark", "aria-hidden": "true" }, o.correct ? "✓" : "·"),
      el("span", { dir: "auto" }, o.text),
      o.correct ? el("span", { class: "visually-hidden" }, " (correct)") : null,
      o.weight !== null && o.weight !== undefined ? el("span", { class: "meta" }, ` weight ${num(o.weight)}%`) : null)));
  const actions = el("div", { class: "actions" });
  const button = (text, label, handler, extra = {}) => {
    const b = el("button", { type: "button", class: "secondary small", "aria-label": label, ...extra }, text);
    b.addEventListener("click", () => handler(b));
    actions.append(b);
    return b;
  };
  button("Edit", `Edit question ${number}`, () => openEditor(q, number), { "data-action": "edit" });
  if (!exam.has_attempts) {
    button("Move up", `Move up: question ${number}`, () => move(q.id, -1), { disabled: index === 0, "data-action": "up" });
    button("Move down", `Move down: question ${number}`, () => move(q.id, 1),
      { disabled: index === count - 1, "data-action": "down" });
    button("Delete", `Delete question ${number}`, (b) => removeQuestion(q, number, item, b), { "data-action": "delete" });
  }
  append(item, [head, el("p", { class: "question-text", dir: "auto" }, q.text), options,
    q.explanation ? el("p", { class: "hint" }, "Explanation: ", el("bdi", {}, q.explanation)) : null, actions]);
  return item;
}

function closeEditor({ restoreFocus = true } = {}) {
  if (!editor) return;
  const { form, questionId } = editor;
  form.remove();
  editor = null;
  const item = questionList.querySelector(`[data-question-id="${questionId}"]`);
  if (item) item.hidden = false;
  addButton.hidden = exam.has_attempts;
  if (restoreFocus) {
    (item?.querySelector('[data-action="edit"]') || (addButton.hidden ? byId("questions-title") : addButton)).focus();
  }
}

function openEditor(question, number) {
  closeEditor({ restoreFocus: false });
  questionsMsg.clear();
  const form = questionForm({
    question, number, locked: exam.has_attempts,
    onCancel: () => closeEditor(),
    onSave: async (body) => {
      if (question) {
        await api(`/api/exams/${examId}/questions/${question.id}`, { method: "PUT", body });
      } else {
        await api(`/api/exams/${examId}/questions`, { method: "POST", body });
      }
      await reload();
      editor = null;
      form.remove();
      const n = question ? number : exam.question_list.length;
      renderQuestions({ focus: `li:nth-child(${n}) [data-action="edit"]` });
      questionsMsg.say(question ? `Question ${n} saved.` : `Question ${n} added.`);
    },
  });
  editor = { form, questionId: question?.id ?? null };
  if (question) {
    const item = questionList.querySelector(`[data-question-id="${question.id}"]`);
    item.hidden = true;
    item.after(form);
  } else {
    byId("question-editor-host").append(form);
    addButton.hidden = true;
  }
  form.querySelector("h3").focus();
}

addButton.addEventListener("click", () => openEditor(null, exam.question_list.length + 1));

async function move(questionId, step) {
  const order = exam.question_list.map((q) => q.id);
  const from = order.indexOf(questionId);
  const to = from + step;
  if (to < 0 || to >= order.length) return;
  [order[from], order[to]] = [order[to], order[from]];
  try {
    closeEditor({ restoreFocus: false });
    exam = await api(`/api/exams/${examId}/questions/order`, { method: "PUT", body: { order } });
    const moved = exam.question_list.findIndex((q) => q.id === questionId) + 1;
    // Keep focus on the same move button; at the top or bottom (where it is disabled), on the other one.
    const atEdge = moved === 1 || moved === exam.question_list.length;
    const same = step < 0 ? "up" : "down";
    const other = step < 0 ? "down" : "up";
    renderQuestions({ focus: `li:nth-child(${moved}) [data-action="${atEdge ? other : same}"]` });
    questionsMsg.say(`Moved to position ${moved} of ${exam.question_list.length}.`);
  } catch (error) {
    questionsMsg.fail(error.message);
  }
}

async function removeQuestion(q, number, item, button) {
  button.disabled = true;
  const yes = await confirmInline(item, { question: `Delete question ${number}?`, confirm: "Delete question" });
  button.disabled = false;
  if (!yes) { button.focus(); return; }
  try {
    await api(`/api/exams/${examId}/questions/${q.id}`, { method: "DELETE" });
    await reload();
    renderQuestions();
    questionsMsg.say(`Question ${number} deleted. ${plural(exam.question_list.length, "question")} left.`);
    byId("questions-title").focus();
  } catch (error) {
    questionsMsg.fail(error.message);
  }
}

// --- import and export --------------------------------------------------------------------------

const importForm = byId("import-form");
const fileInput = byId("import-file");
const importMsg = messenger("import-status", "import-alert");
const preview = byId("import-preview");
const importConfirm = byId("import-confirm");
let checkedFile = null;

function resetPreview() {
  preview.hidden = true;
  byId("preview-list").replaceChildren();
  checkedFile = null;
}

/** "3 problems: line 2: …; line 5: …; and 1 more" → a list of problems, one item each. */
function problemList(problems) {
  return el("ul", { class: "problems" }, problems.map((p) => el("li", {}, p.line ? `Line ${p.line}: ${p.message}` : p.message)));
}

async function check(file) {
  resetPreview();
  if (!fitsUploadLimit(fileInput) || !file) { importMsg.clear(); return; }
  importMsg.say(`Checking “${file.name}”…`);
  try {
    const result = await upload(`/api/exams/${examId}/import?dry_run=1`, file);
    checkedFile = file;
    const list = byId("preview-list");
    list.replaceChildren(...result.questions.map((q) => el("li", {},
      el("p", {}, el("span", { class: "meta" }, `Line ${q.line} · ${TYPE_NAMES[q.type] || q.type} · `
        + `${plural(num(q.points), "point")}: `), q.text),
      el("ul", { class: "option-list" }, q.options.map((o) => el("li", { class: o.correct ? "correct" : "" },
        el("span", { class: "mark", "aria-hidden": "true" }, o.correct ? "✓" : "·"), el("span", { dir: "auto" }, o.text),
        o.correct ? el("span", { class: "visually-hidden" }, " (correct)") : null))))));
    byId("preview-title").textContent = `Preview: ${plural(result.count, "question")} in “${file.name}”`;
    importConfirm.textContent = `Import ${plural(result.count, "question")}`;
    preview.hidden = false;
    preview.scrollIntoView({ block: "nearest" });
    importMsg.say(`“${file.name}” is fine: ${plural(result.count, "question")} ready to import. Nothing is added yet.`);
  } catch (error) {
    const found = error instanceof ApiError && error.status === 400 ? error.details.problems : null;
    const problems = found ? problemList(found) : null;
    if (problems) {
      importMsg.fail(`“${file.name}” cannot be imported. ${error.hint || "Nothing was imported."}`, problems);
    } else {
      importMsg.fail(error.message);
    }
    byId("import-alert").scrollIntoView({ block: "nearest" });
  }
}

fileInput.addEventListener("change", () => check(fileInput.files[0]));
importForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!fileInput.files[0]) {
    importMsg.fail("Choose a CSV, JSON or GIFT file first.");
    fileInput.focus();
    return;
  }
  check(fileInput.files[0]);
});
byId("import-cancel").addEventListener("click", () => {
  resetPreview();
  fileInput.value = "";
  importMsg.say("Import cancelled; nothing was added.");
  fileInput.focus();
});
importConfirm.addEventListener("click", () => {
  if (!checkedFile) return;
  busy(importConfirm, "Importing…", async () => {
    const result = await upload(`/api/exams/${examId}/import?dry_run=0`, checkedFile);
    resetPreview();
    fileInput.value = "";
    await reload();
    renderQuestions();
    importMsg.say(`Imported ${plural(result.count, "question")}. The exam now has `
      + `${plural(exam.question_list.length, "question")}.`);
    byId("questions-title").focus();
  }).catch((error) => importMsg.fail(error.message));
});

const exportMsg = messenger("export-status", "export-alert");
byId("export-button").addEventListener("click", (event) => {
  busy(event.currentTarget, "Preparing…", async () => {
    const name = await download(`/api/exams/${examId}/export`, `exam-${examId}-questions.json`);
    exportMsg.say(`Downloaded ${name}.`);
  }).catch((error) => exportMsg.fail(error.message));
});

// --- extra time ---------------------------------------------------------------------------------

const accommodationForm = byId("accommodation-form");
const accommodationMsg = messenger("accommodation-status", "accommodation-alert");
let students = [];

async function loadStudents() {
  const select = byId("a-student");
  try {
    ({ students } = await api(`/api/exams/${examId}/marks`));
  } catch (error) {
    accommodationMsg.fail(`Could not load the students: ${error.message}`);
    return;
  }
  if (!students.length) {
    select.replaceChildren(el("option", { value: "" }, "No students yet"));
    select.disabled = true;
    accommodationForm.querySelector("button[type=submit]").disabled = true;
    accommodationMsg.say("Students appear here once they have opened the tool from the course.");
    return;
  }
  select.replaceChildren(el("option", { value: "" }, "Choose a student…"),
    ...students.map((s) => el("option", { value: s.user_id }, s.email ? `${s.name} (${s.email})` : s.name)));
}

accommodationForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const f = accommodationForm.elements;
  const userId = Number(f.user_id.value);
  if (!userId) {
    accommodationMsg.fail("Choose a student first.");
    f.user_id.focus();
    return;
  }
  const student = students.find((s) => s.user_id === userId);
  busy(accommodationForm.querySelector("button[type=submit]"), "Saving…", async () => {
    const saved = await api(`/api/exams/${examId}/accommodations/${userId}`, { method: "PUT", body: {
      extra_minutes: numberOrRaw(f.extra_minutes.value, 0), time_multiplier: numberOrRaw(f.time_multiplier.value, 1),
    } });
    accommodationMsg.say(`Saved for ${student?.name || "the student"}: ${plural(saved.extra_minutes, "extra minute")}`
      + ` and ${num(saved.time_multiplier)}× the duration, for attempts started from now on.`);
  }).catch((error) => accommodationMsg.fail(error.message
    .replace(/\bextra_minutes\b/g, "Extra minutes").replace(/\btime_multiplier\b/g, "Time multiplier")));
});

// --- proctors -----------------------------------------------------------------------------------

const proctorsForm = byId("proctors-form");
const proctorsMsg = messenger("proctors-status", "proctors-alert");
const picker = proctorPicker(examId);

proctorsForm.addEventListener("submit", (event) => {
  event.preventDefault();
  busy(proctorsForm.querySelector("button[type=submit]"), "Saving…", async () => {
    const { proctors } = await api(`/api/exams/${examId}/proctors`, { method: "PUT", body: picker.chosen() });
    await reload();
    await picker.show(exam.proctors, (error) => proctorsMsg.fail(error.message));
    proctorsMsg.say(proctors.length
      ? `Saved ${plural(proctors.length, "proctor")}: ${proctors.map(picker.describe).join(", ")}.`
      : "Saved: no proctors listed, so only the course's test makers proctor this exam.");
  }).catch((error) => proctorsMsg.fail(error.message));
});

// --- close now ----------------------------------------------------------------------------------

const closeButton = byId("close-button");
const closeMsg = messenger("close-status", "close-alert");

function showClosed() {
  byId("closed-notice").hidden = !exam.closed;
  closeButton.disabled = exam.closed;
  if (exam.closed) closeButton.textContent = "The exam is closed";
}

closeButton.addEventListener("click", async () => {
  closeButton.disabled = true;
  const yes = await confirmInline(byId("close-host"), {
    question: `Close “${exam.title}” now? Every attempt in progress ends and is graded; this cannot be undone.`,
    confirm: "Close the exam",
  });
  if (!yes) { closeButton.disabled = false; closeButton.focus(); return; }
  try {
    const { attempts_ended: ended } = await api(`/api/exams/${examId}/close`, { method: "POST" });
    await reload();
    showClosed();
    closeMsg.say(`The exam is closed. ${ended ? `${plural(ended, "attempt")} in progress ended and will be graded.`
      : "No attempt was in progress."}`);
    byId("close-title").focus();
  } catch (error) {
    closeButton.disabled = false;
    closeMsg.fail(error.message);
  }
});

// --- load ---------------------------------------------------------------------------------------

async function reload() {
  exam = await api(`/api/exams/${examId}`);
  return exam;
}

byId("zone-name").textContent = zoneName();
try {
  start();
  if (!examId) throw new Error("No exam was chosen. Go back to the exam list and press Edit on an exam.");
  fillNav(examId, "Edit");
  await reload();
  showTitle();
  fillSettings();
  fillCamera(await api(`/api/exams/${examId}/camera/settings`));
  await picker.show(exam.proctors, (error) => proctorsMsg.fail(error.message));
  byId("locked-notice").hidden = !exam.has_attempts;
  byId("import-form").hidden = exam.has_attempts;
  if (exam.has_attempts) {
    byId("import-hint").textContent = "Importing is off: students have taken this exam, so no questions can be added.";
  }
  renderQuestions();
  showClosed();
  byId("edit-body").hidden = false;
  byId("edit-sections").hidden = false;
  page.clear();
  await loadStudents();
} catch (error) {
  if (examId) fillNav(examId, "Edit");
  page.fail(`Could not load the exam: ${error.message}`);
}
