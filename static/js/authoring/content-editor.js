// The question form's text format, its formatting toolbar and its preview. The preview is made by the server's code
// for every page (POST /api/content/preview), so the test maker sees what students will see.
import { showContent } from "../content.js";
import { api } from "../session.js";
import { el } from "./dom.js";
import { upload } from "./http.js";

const PREVIEW_DELAY_MS = 300;
// [label, before, after]: wrapped around the selection of the question text.
const TOOLS = [
  ["Bold", "<strong>", "</strong>"],
  ["Italic", "<em>", "</em>"],
  ["List", "<ul>\n<li>", "</li>\n</ul>"],
  ["Code", "<code>", "</code>"],
  ["Formula", "\\(", "\\)"],
];

/**
 * The controls for `fmt` (a <select>) and `text` (the question's <textarea>); `texts()` gives every text the preview
 * shows, the question's first. Answers { controls, preview } to place in the form.
 */
export function contentEditor({ id, format, text, texts }) {
  const select = el("select", { id: id("format"), "aria-describedby": id("format-hint") },
    el("option", { value: "plain" }, "Plain text"),
    el("option", { value: "html" }, "Formatted text (HTML and formulas)"));
  select.value = format || "plain";
  const hint = el("p", { class: "hint", id: id("format-hint") });
  const toolbar = el("div", { class: "toolbar", role: "toolbar", "aria-label": "Formatting",
    "aria-controls": text.id });
  for (const [label, before, after] of TOOLS) {
    const button = el("button", { type: "button", class: "secondary small" }, label);
    button.addEventListener("click", () => wrap(text, before, after));
    toolbar.append(button);
  }
  const pictureButton = el("button", { type: "button", class: "secondary small", "aria-expanded": "false",
    "aria-controls": id("picture") }, "Picture");
  toolbar.append(pictureButton);
  const pictureForm = picturePanel(id, text, () => pictureButton.focus());
  pictureButton.addEventListener("click", () => {
    pictureForm.hidden = !pictureForm.hidden;
    pictureButton.setAttribute("aria-expanded", String(!pictureForm.hidden));
    if (!pictureForm.hidden) pictureForm.querySelector("input").focus();
  });
  const shown = el("div", { class: "content-preview", id: id("preview") });
  const preview = el("section", { class: "content-preview-box", "aria-labelledby": id("preview-title") },
    el("h4", { id: id("preview-title") }, "Preview, as students see it"), shown);

  let timer = null;
  async function refresh() {
    const [question, ...options] = texts();
    try {
      const { html } = await api("/api/content/preview", { method: "POST", body: { format: select.value,
        texts: [question, ...options] } });
      showContent(shown, "");
      shown.append(showContent(el("div", { class: "question-text", dir: "auto" }), html[0]),
        el("ul", { class: "option-list" }, html.slice(1).map((h) => showContent(el("li", { dir: "auto" }), h))));
    } catch (error) {
      shown.replaceChildren(el("p", { class: "hint" }, `The preview could not be made: ${error.message}`));
    }
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  }
  function showFormat() {
    const formatted = select.value === "html";
    toolbar.hidden = !formatted;
    if (!formatted) pictureForm.hidden = true;
    hint.textContent = formatted
      ? "Use <p>, <strong>, <em>, lists, tables, <sub>, <sup> and <code>; write formulas in TeX between \\( and \\) "
        + "(or \\[ and \\] on a line of their own), and < as &lt;. Everything else is removed when you save."
      : "Shown exactly as written, line breaks included.";
    schedule();
  }
  select.addEventListener("change", showFormat);
  showFormat();
  return { select, hint, toolbar: el("div", {}, toolbar, pictureForm), preview, schedule, value: () => select.value };
}

function wrap(textarea, before, after) {
  const { selectionStart: start, selectionEnd: end, value } = textarea;
  textarea.setRangeText(`${before}${value.slice(start, end)}${after}`, start, end, "select");
  if (start === end) textarea.setSelectionRange(start + before.length, start + before.length);
  textarea.focus();
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

// A picture from the test maker's computer, with the description students who cannot see it will hear; inserted
// where the question text's cursor was.
function picturePanel(id, textarea, done) {
  const file = el("input", { type: "file", id: id("picture-file"), accept: "image/png,image/jpeg,image/gif,image/webp" });
  const alt = el("input", { type: "text", id: id("picture-alt"), autocomplete: "off" });
  const add = el("button", { type: "button", class: "small" }, "Add the picture");
  const problem = el("p", { class: "field-error", id: id("picture-problem"), role: "alert" });
  const panel = el("div", { class: "picture-panel", id: id("picture"), hidden: true },
    el("div", { class: "field" }, el("label", { for: file.id }, "Picture (PNG, JPEG, GIF or WebP, up to 2 MB)"), file),
    el("div", { class: "field" }, el("label", { for: alt.id }, "Description for students who cannot see it"), alt),
    problem, add);
  add.addEventListener("click", async () => {
    problem.textContent = "";
    if (!file.files[0]) { problem.textContent = "Choose a picture."; file.focus(); return; }
    if (!alt.value.trim()) { problem.textContent = "Describe the picture."; alt.focus(); return; }
    add.disabled = true;
    try {
      const { src } = await upload("/api/content/images", file.files[0]);
      const description = alt.value.trim().replaceAll("&", "&amp;").replaceAll("\"", "&quot;").replaceAll("<", "&lt;");
      wrap(textarea, `<img src="${src}" alt="${description}">`, "");
      file.value = "";
      alt.value = "";
      panel.hidden = true;
      done();
    } catch (error) {
      problem.textContent = error.message;
    } finally {
      add.disabled = false;
    }
  });
  return panel;
}
