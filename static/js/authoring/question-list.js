// The edit page's Questions: the list (edit, move, delete) and the form that adds or edits one.
import { api } from "../session.js";
import { byId, confirmInline, messenger } from "./dom.js";
import { exam, examId, reload, replaceExam } from "./edited-exam.js";
import { plural } from "./format.js";
import { inlineEditor } from "./inline-editor.js";
import { cardActions, questionCard } from "./question-card.js";
import { questionForm } from "./question-form.js";
import { renderDraws } from "./random-draws.js";

const list = byId("question-list");
const msg = messenger("questions-status", "questions-alert");
const addButton = byId("add-question");
const editing = inlineEditor({ list, host: byId("question-editor-host"), addButton, heading: byId("questions-title"),
  canAdd: () => !exam.has_attempts });

export function renderQuestions({ focus } = {}) {
  const questions = exam.question_list;
  byId("question-count").textContent = `(${questions.length})`;
  byId("no-questions").hidden = questions.length > 0;
  list.replaceChildren(...questions.map((q, index) => questionItem(q, index, questions.length)));
  addButton.hidden = exam.has_attempts;
  renderDraws();
  if (focus) list.querySelector(focus)?.focus();
}

function questionItem(q, index, count) {
  const number = index + 1;
  const { actions, add: button } = cardActions();
  button("Edit", `Edit question ${number}`, () => openEditor(q, number), { "data-action": "edit" });
  if (!exam.has_attempts) {
    button("Move up", `Move up: question ${number}`, () => move(q.id, -1), { disabled: index === 0, "data-action": "up" });
    button("Move down", `Move down: question ${number}`, () => move(q.id, 1),
      { disabled: index === count - 1, "data-action": "down" });
    button("Delete", `Delete question ${number}`, (b) => removeQuestion(q, number, item, b), { "data-action": "delete" });
  }
  const item = questionCard(q, { id: `q-${q.id}`, title: `Question ${number}`, number, actions });
  return item;
}

function openEditor(question, number) {
  editing.close({ restoreFocus: false });
  msg.clear();
  const form = questionForm({
    question, number, locked: exam.has_attempts, categories: exam.draws.categories.map((c) => c.name),
    onCancel: () => editing.close(),
    onSave: async (body) => {
      if (question) {
        await api(`/api/exams/${examId}/questions/${question.id}`, { method: "PUT", body });
      } else {
        await api(`/api/exams/${examId}/questions`, { method: "POST", body });
      }
      await reload();
      editing.close({ restoreFocus: false });
      const n = question ? number : exam.question_list.length;
      renderQuestions({ focus: `li:nth-child(${n}) [data-action="edit"]` });
      msg.say(question ? `Question ${n} saved.` : `Question ${n} added.`);
    },
  });
  editing.open(form, question?.id ?? null);
}

async function move(questionId, step) {
  const order = exam.question_list.map((q) => q.id);
  const from = order.indexOf(questionId);
  const to = from + step;
  if (to < 0 || to >= order.length) return;
  [order[from], order[to]] = [order[to], order[from]];
  try {
    editing.close({ restoreFocus: false });
    replaceExam(await api(`/api/exams/${examId}/questions/order`, { method: "PUT", body: { order } }));
    const moved = exam.question_list.findIndex((q) => q.id === questionId) + 1;
    // Keep focus on the same move button; at the top or bottom (where it is disabled), on the other one.
    const atEdge = moved === 1 || moved === exam.question_list.length;
    const same = step < 0 ? "up" : "down";
    const other = step < 0 ? "down" : "up";
    renderQuestions({ focus: `li:nth-child(${moved}) [data-action="${atEdge ? other : same}"]` });
    msg.say(`Moved to position ${moved} of ${exam.question_list.length}.`);
  } catch (error) {
    msg.fail(error.message);
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
    msg.say(`Question ${number} deleted. ${plural(exam.question_list.length, "question")} left.`);
    byId("questions-title").focus();
  } catch (error) {
    msg.fail(error.message);
  }
}

export function questionList() {
  addButton.addEventListener("click", () => openEditor(null, exam.question_list.length + 1));
  renderQuestions();
}
