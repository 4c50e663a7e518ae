// The course's question bank (lti_tool/bank/): its questions by category, filtered by category or tag, each
// edited or deleted in place, new ones added with the question form or imported from a file, all exported.
import { busy, byId, confirmInline, el, messenger } from "../authoring/dom.js";
import { plural } from "../authoring/format.js";
import { inlineEditor } from "../authoring/inline-editor.js";
import { fillCourseNav } from "../authoring/nav.js";
import { cardActions, questionCard } from "../authoring/question-card.js";
import { questionCopy } from "../authoring/question-copy.js";
import { questionForm } from "../authoring/question-form.js";
import { questionImport } from "../authoring/question-import.js";
import { api, start } from "../session.js";

const list = byId("bank-list");
const addButton = byId("bank-add");
const category = byId("filter-category");
const tag = byId("filter-tag");
const msg = messenger("bank-status", "bank-alert");
let bank = null; // what GET /api/bank last answered: categories and tags with their counts
let shown = []; // the questions listed
const editing = inlineEditor({ list, host: byId("bank-editor-host"), addButton,
  heading: byId("bank-questions-title") });

// Each option's value is "=" and the name ("=" alone: questions without a category); "" shows them all.
function filterOptions(select, items, blank, describe) {
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, blank),
    ...items.map((item) => el("option", { value: `=${item.name}` }, describe(item))));
  select.value = items.some((item) => `=${item.name}` === chosen) ? chosen : "";
}

async function load() {
  bank = await api("/api/bank");
  filterOptions(category, bank.categories, "All categories", (c) => `${c.name || "(no category)"}: `
    + `${plural(c.questions, "question")}${c.drawn ? ", drawn by an exam" : ""}`);
  filterOptions(tag, bank.tags, "Any tag", (t) => `${t.name}: ${plural(t.questions, "question")}`);
  const query = new URLSearchParams();
  if (category.value) query.set("category", category.value.slice(1));
  if (tag.value) query.set("tag", tag.value.slice(1));
  shown = (await api(`/api/bank/questions?${query}`)).questions;
  render();
}

function render({ focus } = {}) {
  const filtered = category.value || tag.value;
  byId("bank-count").textContent = filtered ? `(${shown.length} of ${bank.questions})` : `(${bank.questions})`;
  byId("bank-empty").hidden = shown.length > 0;
  list.replaceChildren(...shown.map(card));
  if (focus) list.querySelector(focus)?.focus();
}

function card(q, index) {
  const number = index + 1;
  const { actions, add } = cardActions();
  add("Edit", `Edit question ${number}`, () => openEditor(q, number), { "data-action": "edit" });
  if (!q.drawn) add("Delete", `Delete question ${number}`, (b) => remove(q, number, item, b), { "data-action": "delete" });
  const item = questionCard(q, { id: `bank-q-${q.id}`, title: `Question ${number}`, number, actions });
  if (q.drawn) item.append(el("p", { class: "hint" }, "Students have been drawn this question: only its wording and tags can change."));
  return item;
}

function openEditor(question, number) {
  editing.close({ restoreFocus: false });
  msg.clear();
  const form = questionForm({
    question, number, locked: Boolean(question?.drawn), categories: bank.categories.map((c) => c.name).filter(Boolean),
    categoryHint: "Exams draw questions at random by category: give the questions to be drawn together one category.",
    lockedNote: "Students have been drawn this question: only the wording of the question, its options and the "
      + "explanation, and its tags can change.",
    onCancel: () => editing.close(),
    onSave: async (body) => {
      const saved = question
        ? await api(`/api/bank/questions/${question.id}`, { method: "PUT", body })
        : await api("/api/bank/questions", { method: "POST", body });
      editing.close({ restoreFocus: false });
      await load();
      const at = shown.findIndex((q) => q.id === saved.id) + 1;
      render({ focus: at ? `li:nth-child(${at}) [data-action="edit"]` : undefined });
      if (!at) addButton.focus();
      msg.say(question ? "Question saved." : `Question added${saved.category ? ` to category ${saved.category}` : ""}.`);
    },
  });
  editing.open(form, question?.id ?? null);
}

async function remove(q, number, item, button) {
  button.disabled = true;
  const yes = await confirmInline(item, { question: `Delete question ${number} from the bank?`, confirm: "Delete question" });
  button.disabled = false;
  if (!yes) { button.focus(); return; }
  try {
    await api(`/api/bank/questions/${q.id}`, { method: "DELETE" });
    await load();
    msg.say(`Question deleted. The bank holds ${plural(bank.questions, "question")}.`);
    byId("bank-questions-title").focus();
  } catch (error) {
    msg.fail(error.message);
  }
}

try {
  start();
  fillCourseNav("Question bank");
  await load();
  byId("bank-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(event.submitter, "Showing…", async () => {
      editing.close({ restoreFocus: false });
      await load();
      msg.say(`${plural(shown.length, "question")} shown.`);
    }).catch((error) => msg.fail(error.message));
  });
  addButton.addEventListener("click", () => openEditor(null, shown.length + 1));
  questionCopy({
    api: "/api/bank",
    after: async (copied, title) => {
      await load();
      byId("bank-questions-title").focus();
      return `${plural(copied, "question")} copied from “${title}”: the bank now holds `
        + `${plural(bank.questions, "question")}.`;
    },
  });
  questionImport({
    api: "/api/bank", fileName: "question-bank",
    after: async (count) => {
      await load();
      byId("bank-questions-title").focus();
      return `Imported ${plural(count, "question")} into the bank, which now holds ${plural(bank.questions, "question")}.`;
    },
  });
  byId("bank-body").hidden = false;
  msg.clear();
} catch (error) {
  msg.fail(`Could not load the question bank: ${error.message}`);
}
