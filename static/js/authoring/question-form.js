// The form that adds or edits one question: type, text and its format, points, category, explanation, options
// (correct, weight), with a preview.
// Once students have taken the exam only wording can change, so every scoring control is disabled.
import { contentEditor } from "./content-editor.js";
import { append, el } from "./dom.js";
import { fieldErrors } from "./field-errors.js";

let formCount = 0;

const blankOption = () => ({ text: "", correct: false, weight: null });

/**
 * Build the form. `question` is null for a new one. `onSave(body)` sends it and resolves, or rejects with
 * the server's message (shown in the form); `onCancel()` closes it. Answers the <form>.
 */
export function questionForm({ question, number, locked, categories = [], onSave, onCancel,
  categoryHint = "Questions of one category can be drawn at random, a few per student: see Random draws below the list.",
  lockedNote = "Students have taken this exam: only the wording of the question, its options and the explanation can change." }) {
  const n = ++formCount;
  const id = (name) => `qf${n}-${name}`;
  const isNew = !question;
  const heading = el("h3", { id: id("title"), tabindex: "-1" }, isNew ? "New question" : `Edit question ${number}`);
  const form = el("form", { class: "question-form", novalidate: true, "aria-labelledby": id("title") });

  const type = el("select", { id: id("type"), disabled: locked },
    el("option", { value: "single" }, "Single answer (exactly one correct option)"),
    el("option", { value: "multi" }, "Multiple answers (one or more correct options)"));
  type.value = question?.type || "single";
  const text = el("textarea", { id: id("text"), name: "text", rows: 3, required: true });
  text.value = question?.text || "";
  const points = el("input", { type: "number", id: id("points"), name: "points", min: "0.5", step: "any",
    inputmode: "decimal", disabled: locked });
  points.value = question ? String(question.points) : "1";
  const category = el("input", { type: "text", id: id("category"), maxlength: "200", autocomplete: "off",
    list: id("categories"), disabled: locked, "aria-describedby": id("category-hint") });
  category.value = question?.category || "";
  const known = el("datalist", { id: id("categories") }, categories.map((name) => el("option", { value: name })));
  const tags = el("input", { type: "text", id: id("tags"), autocomplete: "off", "aria-describedby": id("tags-hint") });
  tags.value = (question?.tags || []).join(", ");
  const explanation = el("textarea", { id: id("explanation"), rows: 2 });
  explanation.value = question?.explanation || "";

  const optionRows = el("ol", { class: "option-rows" });
  const weightHint = el("p", { class: "hint", id: id("weight-hint") },
    "Weight (optional, for partial credit): the percent of the points an option earns. Correct options' weights "
    + "add up to 100; a wrong option may take points away with a negative weight.");
  const addOption = el("button", { type: "button", class: "secondary", disabled: locked }, "Add an option");
  const alert = el("div", { class: "notice notice-error", role: "alert", hidden: true });
  const save = el("button", { type: "submit" }, isNew ? "Add question" : "Save question");
  const cancel = el("button", { type: "button", class: "secondary" }, "Cancel");

  function renumber() {
    [...optionRows.children].forEach((row, index) => {
      const label = `Option ${index + 1}`;
      row.querySelector(".option-label").textContent = label;
      row.querySelector(".option-text").name = `option-${index + 1}`;
      row.querySelector(".option-correct-label").textContent = "Correct";
      row.querySelector(".option-correct").setAttribute("aria-label", `${label} is correct`);
      row.querySelector(".option-weight").setAttribute("aria-label", `${label} weight (percent)`);
      row.querySelector(".option-remove").setAttribute("aria-label", `Remove option ${index + 1}`);
      row.querySelector(".option-remove").disabled = locked || optionRows.children.length <= 2;
    });
  }

  function addRow(option) {
    const k = optionRows.children.length + 1;
    const rowId = `${id("opt")}-${k}-${Math.random().toString(36).slice(2, 7)}`;
    const input = el("input", { type: "text", id: rowId, class: "option-text", autocomplete: "off" });
    input.value = option.text;
    const correct = el("input", { type: "checkbox", class: "option-correct", id: `${rowId}-c`, disabled: locked });
    correct.checked = Boolean(option.correct);
    const weight = el("input", { type: "number", class: "option-weight", id: `${rowId}-w`, step: "any",
      min: "-100", max: "100", placeholder: "—", inputmode: "decimal", disabled: locked,
      "aria-describedby": id("weight-hint") });
    weight.value = option.weight === null || option.weight === undefined ? "" : String(option.weight);
    const remove = el("button", { type: "button", class: "secondary small option-remove" }, "Remove");
    const row = el("li", { class: "option-row" },
      el("div", { class: "option-main" }, el("label", { for: rowId, class: "option-label" }), input),
      el("div", { class: "option-correct-box" }, correct,
        el("label", { for: `${rowId}-c`, class: "option-correct-label" })),
      el("div", { class: "option-weight-box" }, el("label", { for: `${rowId}-w`, class: "small-label" }, "Weight %"),
        weight),
      remove);
    remove.addEventListener("click", () => {
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      next?.querySelector(".option-text")?.focus();
    });
    optionRows.append(row);
    renumber();
    return input;
  }

  const options = question?.options?.length ? question.options : [blankOption(), blankOption()];
  options.forEach(addRow);
  const content = contentEditor({ id, format: question?.format, text,
    texts: () => [text.value, ...[...optionRows.querySelectorAll(".option-text")].map((input) => input.value)] });
  form.addEventListener("input", content.schedule);
  addOption.addEventListener("click", () => addRow(blankOption()).focus());

  function showWeights() {
    form.classList.toggle("single-type", type.value === "single");
  }
  type.addEventListener("change", showWeights);
  showWeights();

  function body() {
    const rows = [...optionRows.children];
    const multi = type.value === "multi";
    const raw = points.value.trim();
    return {
      type: type.value,
      format: content.value(),
      text: text.value,
      points: raw === "" ? 1 : (Number.isFinite(Number(raw)) ? Number(raw) : raw),
      category: category.value.trim(),
      tags: tags.value.split(",").map((tag) => tag.trim()).filter(Boolean),
      explanation: explanation.value.trim() || null,
      options: rows.map((row) => {
        const item = { text: row.querySelector(".option-text").value,
          correct: row.querySelector(".option-correct").checked };
        const w = row.querySelector(".option-weight").value.trim();
        // Weights only mean something on multi questions; a hidden leftover on a single one is dropped.
        if (multi && w !== "") item.weight = Number.isFinite(Number(w)) ? Number(w) : w;
        return item;
      }),
    };
  }

  const errors = fieldErrors(form);
  function blanks() {
    const found = text.value.trim() ? {} : { text: "Write the question's text." };
    for (const input of optionRows.querySelectorAll(".option-text")) {
      if (!input.value.trim()) found[input.name] = "Write this option's text, or remove the option.";
    }
    return found;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    if (!errors.check(blanks)) return;
    save.disabled = true;
    try {
      await onSave(body());
    } catch (error) {
      alert.replaceChildren(el("p", { text: error.message }));
      alert.hidden = false;
    } finally {
      save.disabled = false;
    }
  });
  cancel.addEventListener("click", onCancel);
  form.addEventListener("keydown", (event) => { if (event.key === "Escape") onCancel(); });

  append(form, [
    heading,
    locked ? el("p", { class: "notice notice-warn" }, lockedNote) : null,
    el("div", { class: "field-row" },
      el("div", { class: "field grow" }, el("label", { for: id("type") }, "Answer type"), type),
      el("div", { class: "field" }, el("label", { for: id("points") }, "Points"), points)),
    el("div", { class: "field" },
      el("label", { for: id("category") }, "Category ", el("span", { class: "hint" }, "(optional)")),
      category, known,
      el("p", { class: "hint", id: id("category-hint") }, categoryHint)),
    el("div", { class: "field" },
      el("label", { for: id("tags") }, "Tags ", el("span", { class: "hint" }, "(optional)")), tags,
      el("p", { class: "hint", id: id("tags-hint") },
        "Labels to find the question by, separated by commas: week 3, hard.")),
    el("div", { class: "field" }, el("label", { for: id("format") }, "Text format"), content.select, content.hint),
    el("div", { class: "field" }, el("label", { for: id("text") }, "Question text"), content.toolbar, text),
    el("fieldset", { class: "options-fieldset" }, el("legend", {}, "Options"),
      el("p", { class: "hint" }, "Tick the correct option(s)."), optionRows, weightHint,
      el("div", { class: "actions" }, addOption)),
    el("div", { class: "field" },
      el("label", { for: id("explanation") }, "Explanation ", el("span", { class: "hint" },
        "(optional; students see it with their results)")), explanation),
    content.preview,
    alert,
    el("div", { class: "actions" }, save, cancel),
  ]);
  return form;
}
