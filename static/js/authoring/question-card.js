// One question as the authoring pages show it (an exam's list, the course's question bank): its heading, type,
// points, category and tags, text, options with the right ones marked, and explanation. The caller adds actions.
import { showContent } from "../content.js";
import { append, el } from "./dom.js";
import { num, plural } from "./format.js";

export const TYPE_NAMES = { single: "Single answer", multi: "Multiple answers" };

/** An <li> for question `q` titled `title` (and named `number` in labels), with `actions` (an element) at its end. */
export function questionCard(q, { id, title, number, actions }) {
  const titleId = `${id}-title`;
  const item = el("li", { class: "question", "data-question-id": q.id, "aria-labelledby": titleId });
  const head = el("div", { class: "question-head" },
    el("h3", { id: titleId }, title),
    el("span", { class: "meta" }, `${TYPE_NAMES[q.type] || q.type} · ${plural(num(q.points), "point")}`,
      q.category ? el("span", {}, " · Category: ", el("bdi", {}, q.category)) : null,
      q.tags?.length ? el("span", {}, " · Tags: ", el("bdi", {}, q.tags.join(", "))) : null));
  const options = el("ul", { class: "option-list", "aria-label": `Options of question ${number}` },
    q.options.map((o) => el("li", { class: o.correct ? "correct" : "" },
      el("span", { class: "mark", "aria-hidden": "true" }, o.correct ? "✓" : "·"),
      showContent(el("span", { dir: "auto" }), o.html),
      o.correct ? el("span", { class: "visually-hidden" }, " (correct)") : null,
      o.weight !== null && o.weight !== undefined ? el("span", { class: "meta" }, ` weight ${num(o.weight)}%`) : null)));
  append(item, [head, showContent(el("div", { class: "question-text", dir: "auto" }), q.html), options,
    q.explanation ? el("div", { class: "hint" }, "Explanation: ",
      showContent(el("div", { class: "explanation-text", dir: "auto" }), q.explanation_html)) : null, actions]);
  return item;
}

/** A row of small buttons for a card: `add(text, label, handler, extra)` appends one and answers it. */
export function cardActions() {
  const actions = el("div", { class: "actions" });
  const add = (text, label, handler, extra = {}) => {
    const b = el("button", { type: "button", class: "secondary small", "aria-label": label, ...extra }, text);
    b.addEventListener("click", () => handler(b));
    actions.append(b);
    return b;
  };
  return { actions, add };
}
