// Links between the authoring pages. The launch token travels in the fragment (navigate() of session.js),
// so these are buttons styled as links rather than plain hrefs.
import { t } from "../i18n.js";
import { navigate } from "../session.js";
import { el } from "./dom.js";

export const pages = {
  manage: () => "/exam/manage",
  team: () => "/course/team",
  bank: () => "/bank",
  edit: (id) => `/exam/edit?id=${encodeURIComponent(id)}`,
  marks: (id) => `/exam/marks?id=${encodeURIComponent(id)}`,
  room: (id) => `/proctor/?id=${encodeURIComponent(id)}`,
  review: (id) => `/proctor/review?id=${encodeURIComponent(id)}`,
};

/** The nav of a course page (`current`, its title) under the exam list. */
export function fillCourseNav(current) {
  document.getElementById("page-nav").replaceChildren(el("ul", {},
    el("li", {}, el("button", { type: "button", class: "link", onclick: () => navigate(pages.manage()) }, "All exams")),
    el("li", {}, el("span", { "aria-current": "page", class: "current" }, current))));
}

/** A button that goes to another authoring page; `label` is its accessible name when given. */
export function goButton(text, path, { label, className = "secondary" } = {}) {
  return el("button", { type: "button", class: className, "aria-label": label, onclick: () => navigate(path) }, text);
}

/** Fill the page's breadcrumb-like nav (#page-nav) with links to the other pages for this exam; `current` names
 * the page shown by its English word ("Edit", "Live room"), whatever the language its words are shown in. */
export function fillNav(examId, current) {
  const nav = document.getElementById("page-nav");
  if (!nav) return;
  const items = [["All exams", t("All exams"), pages.manage()], ["Edit", t("Edit"), pages.edit(examId)],
    ["Marks", t("Marks"), pages.marks(examId)], ["Live room", t("Live room"), pages.room(examId)],
    ["Review", t("Review"), pages.review(examId)]];
  nav.replaceChildren(el("ul", {}, items.map(([page, text, path]) => el("li", {},
    page === current
      ? el("span", { "aria-current": "page", class: "current" }, text)
      : el("button", { type: "button", class: "link", onclick: () => navigate(path) }, text)))));
}
