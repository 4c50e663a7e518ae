// An exam's draft or published state (exam/publishing.py) and the controls that change it: Publish, which lists
// beside itself everything that stops the exam being taken when the server refuses; Back to draft, while no
// student has started; and Preview, where the test maker takes the exam as students see it (exam/preview.py).
import { api, ApiError, navigate } from "../session.js";
import { busy, el } from "./dom.js";
import { refocus } from "./more-menu.js";

/** "Draft" or "Published", as a badge. */
export function stateBadge(exam) {
  return el("span", { class: `badge ${exam.published ? "status-submitted" : "status-pending"}` },
    exam.published ? "Published" : "Draft");
}

/**
 * The exam's publishing controls, together: `onChange(exam)` after a publish or unpublish, `onError(error)` for
 * anything but a refusal (a refusal's problems are listed next to the button, which they describe).
 */
export function publishingControls(exam, handlers) {
  const { toggle, preview, problems } = publishingActions(exam, handlers);
  return el("div", { class: "publishing" }, toggle, preview, problems);
}

/** The same controls apart, to be placed where a page wants them: the toggle, Preview, and the problems list. */
export function publishingActions(exam, { onChange, onError }) {
  const problemsId = `exam-${exam.id}-problems`;
  const problems = el("ul", { id: problemsId, class: "problems error-text", hidden: true });
  const toggle = el("button", {
    type: "button", class: exam.published ? "secondary" : "",
    "aria-label": `${exam.published ? "Back to draft" : "Publish"}: ${exam.title}`, "aria-describedby": problemsId,
  }, exam.published ? "Back to draft" : "Publish");
  const refused = (error) => {
    if (!(error instanceof ApiError) || error.status !== 409) return onError(error);
    const listed = error.details.problems || [error.message];
    problems.replaceChildren(...(exam.published ? [] : [el("li", { text: "Not published yet:" })]),
      ...listed.map((p) => el("li", { text: p })));
    problems.hidden = false;
    refocus(toggle); // the button was disabled while busy, which took its focus
  };
  toggle.addEventListener("click", () => {
    problems.hidden = true;
    busy(toggle, null, () => api(`/api/exams/${exam.id}/${exam.published ? "unpublish" : "publish"}`,
      { method: "POST" }))
      .then((changed) => onChange(changed).catch(onError), refused);
  });
  const preview = el("button", { type: "button", class: "secondary", "aria-label": `Preview ${exam.title}` },
    "Preview");
  preview.addEventListener("click", () => busy(preview, "Opening…", async () => {
    const attempt = await api(`/api/exams/${exam.id}/preview`, { method: "POST" });
    navigate(`/exam/attempt?id=${attempt.id}`);
  }).catch(onError));
  return { toggle, preview, problems };
}
