// Links between the authoring pages. The launch token travels in the fragment (navigate() of session.js),
// so these are buttons styled as links rather than plain hrefs.
import { navigate } from "../session.js";
import { el } from "./dom.js";

export const pages = {
  manage: () => "/exam/manage",
  team: () => "/course/team",
  edit: (id) => `/exam/edit?id=${encodeURIComponent(id)}`,
  marks: (id) => `/exam/marks?id=${encodeURIComponent(id)}`,
  room: (id) => `/proctor/?id=${encodeURIComponent(id)}`,
};

/** A button that goes to another authoring page; `label` is its accessible name when given. */
export function goButton(text, path, { label, className = "secondary" } = {}) {
  return el("button", { type: "button", class: className, "aria-label": label, onclick: () => navigate(path) }, text);
}

/** Fill the page's breadcrumb-like nav (#page-nav) with links to the other pages for this exam. */
export function fillNav(examId, current) {
  const nav = document.getElementById("page-nav");
  if (!nav) return;
  const items = [["All exams", pages.manage()], ["Edit", pages.edit(examId)], ["Marks", pages.marks(examId)],
    ["Live room", pages.room(examId)]];
  nav.replaceChildren(el("ul", {}, items.map(([text, path]) => el("li", {},
    text === current
      ? el("span", { "aria-current": "page", class: "current" }, text)
      : el("button", { type: "button", class: "link", onclick: () => navigate(path) }, text)))));
}
