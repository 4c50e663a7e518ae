// "Copy questions from …", on an exam's edit page and on the course's question bank: the sources this test maker
// may copy from (the course's bank, for an exam; this course's exams and those of other courses where they are a
// test maker, lti_tool/exam/question_copies.py), one source's questions to choose from, and the copy.
import { showContent } from "../content.js";
import { api } from "../session.js";
import { byId, el, messenger } from "./dom.js";
import { plural } from "./format.js";

const section = byId("copy-section");
const source = byId("copy-source");
const choice = byId("copy-choice");
const list = byId("copy-list");
const msg = messenger("copy-status", "copy-alert");
const sources = new Map(); // exam id -> what question-sources said of it
const BANK = { title: "Question bank" };
let shown = null; // the source whose questions are listed: an exam, or BANK
let target = null; // what questionCopy() was given

function sourceOption(item) {
  const where = item.same_course ? "" : ` (${item.course})`;
  return el("option", { value: String(item.exam_id) }, `${item.title}${where}: ${plural(item.questions, "question")}`);
}

async function loadSources() {
  const [{ exams }, bank] = await Promise.all([api(`${target.api}/question-sources`),
    target.withBank ? api("/api/bank") : { questions: 0 }]);
  for (const item of exams) sources.set(item.exam_id, item);
  const here = exams.filter((item) => item.same_course);
  const elsewhere = exams.filter((item) => !item.same_course);
  const blank = target.withBank ? "Choose the bank or an exam" : "Choose an exam";
  source.replaceChildren(
    el("option", { value: "" }, exams.length || bank.questions ? blank : "No other exam has questions to copy"),
    bank.questions ? el("option", { value: "bank" }, `The course's question bank: ${plural(bank.questions, "question")}`)
      : null,
    here.length ? el("optgroup", { label: "This course" }, here.map(sourceOption)) : null,
    elsewhere.length ? el("optgroup", { label: "Your other courses" }, elsewhere.map(sourceOption)) : null);
}

function questionItem(question, index) {
  const id = `copy-q-${question.id}`;
  return el("li", {},
    el("div", { class: "check" },
      el("input", { type: "checkbox", id, value: String(question.id), checked: true }),
      el("label", { for: id }, `Question ${index + 1}`, question.category ? ` (${question.category})` : "")),
    showContent(el("div", { class: "question-text", dir: "auto" }), question.html));
}

async function show(event) {
  event.preventDefault();
  msg.clear();
  choice.hidden = true;
  if (!source.value) {
    msg.fail(target.withBank ? "Choose the question bank or the exam to copy questions from."
      : "Choose the exam to copy questions from.");
    source.focus();
    return;
  }
  try {
    const fromBank = source.value === "bank";
    const { questions } = await api(fromBank ? "/api/bank/questions"
      : `${target.api}/question-sources/${source.value}`);
    shown = fromBank ? BANK : sources.get(Number(source.value));
    list.replaceChildren(...questions.map(questionItem));
    byId("copy-choice-title").textContent = `Questions of “${shown.title}”`;
    choice.hidden = false;
    list.querySelector("input")?.focus();
  } catch (error) {
    msg.fail(error.message);
  }
}

async function copy(event) {
  event.preventDefault();
  msg.clear();
  const ids = [...list.querySelectorAll("input:checked")].map((input) => Number(input.value));
  if (!ids.length) {
    msg.fail("Choose at least one question to copy.");
    list.querySelector("input")?.focus();
    return;
  }
  try {
    const from = shown === BANK ? { bank: true } : { exam_id: shown.exam_id };
    const { copied } = await api(`${target.api}/questions/copy`,
      { method: "POST", body: { ...from, question_ids: ids } });
    choice.hidden = true;
    msg.say(await target.after(copied, shown.title));
  } catch (error) {
    msg.fail(error.message);
  }
}

/**
 * Wire the section. `api`: the target's API address (an exam's, or the bank's); `withBank`: offer the course's
 * bank as a source; `locked`: hide the section (an exam students have taken); `after(copied, title)`: runs once
 * `copied` questions came from the source titled `title`, and answers what the status line says.
 */
export async function questionCopy({ api: address, withBank = false, locked = false, after }) {
  target = { api: address, withBank, after };
  section.hidden = locked;
  if (locked) return;
  byId("copy-form").addEventListener("submit", show);
  choice.addEventListener("submit", copy);
  byId("copy-all").addEventListener("click", () => {
    for (const input of list.querySelectorAll("input")) input.checked = true;
  });
  byId("copy-cancel").addEventListener("click", () => {
    choice.hidden = true;
    source.focus();
  });
  try {
    await loadSources();
  } catch (error) {
    msg.fail(`Could not list the exams to copy from: ${error.message}`);
  }
}
