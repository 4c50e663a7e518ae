// The edit page's Random draws, under the questions: per category, how many questions each student is drawn
// (blank: the whole category, to everyone). The server checks each number (lti_tool/exam/draws.py); once students
// have taken the exam the draws stay as they were.
import { api } from "../session.js";
import { byId, el, messenger } from "./dom.js";
import { exam, examId, reload } from "./edited-exam.js";
import { plural } from "./format.js";
import { saved, watch } from "./unsaved.js";

const form = byId("draws-form");
const rows = byId("draws-rows");
const msg = messenger("draws-status", "draws-alert");
let watching = false;

/** Draw the table from the exam as the server last answered (after every change to the questions too). */
export function renderDraws() {
  const { categories, rules } = exam.draws;
  const counts = Object.fromEntries(rules.map((rule) => [rule.category, rule.count]));
  byId("no-categories").hidden = categories.length > 0;
  form.hidden = categories.length === 0;
  rows.replaceChildren(...categories.map((category, index) => {
    const inputId = `draw-${index}`;
    const input = el("input", { type: "number", id: inputId, min: "1", max: String(category.questions), step: "1",
      inputmode: "numeric", placeholder: "all", disabled: exam.has_attempts, "data-category": category.name,
      "aria-describedby": "draws-hint" });
    input.value = counts[category.name] ?? "";
    return el("tr", {},
      el("th", { scope: "row" }, el("label", { for: inputId }, el("bdi", {}, category.name))),
      el("td", {}, plural(category.questions, "question"),
        category.in_bank ? el("span", { class: "meta" }, `, ${category.in_bank} of them in the question bank`) : null),
      el("td", {}, input));
  }));
  byId("draws-save").hidden = exam.has_attempts;
  if (!watching) {
    watch(form, renderDraws);
    watching = true;
  }
}

function wanted() {
  return [...rows.querySelectorAll("input")].filter((input) => input.value.trim() !== "").map((input) => {
    const count = Number(input.value);
    return { category: input.dataset.category, count: Number.isInteger(count) ? count : input.value };
  });
}

export function randomDraws() {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    msg.clear();
    try {
      await api(`/api/exams/${examId}/draws`, { method: "PUT", body: { draws: wanted() } });
      await reload();
      saved(form);
      renderDraws();
      const drawn = exam.draws.rules.map((rule) => `${rule.count} of ${rule.category}`);
      msg.say(drawn.length ? `Saved: each student is drawn ${drawn.join(", ")}.`
        : "Saved: every student gets every question.");
    } catch (error) {
      msg.fail(error.message);
    }
  });
}
