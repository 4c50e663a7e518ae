// Import (a file checked and previewed before anything is added) and export of questions, for an exam's edit page
// and the course's question bank: `base` is the API address of the questions' owner.
import { showContent } from "../content.js";
import { ApiError } from "../session.js";
import { download, upload } from "./http.js";
import { busy, byId, el, messenger } from "./dom.js";
import { num, plural } from "./format.js";
import { TYPE_NAMES } from "./question-card.js";
import { fitsUploadLimit } from "./upload-limit.js";

const importForm = byId("import-form");
const fileInput = byId("import-file");
const importMsg = messenger("import-status", "import-alert");
const preview = byId("import-preview");
const importConfirm = byId("import-confirm");
let checkedFile = null;

function resetPreview() {
  preview.hidden = true;
  byId("preview-list").replaceChildren();
  checkedFile = null;
}

function problemList(problems) {
  return el("ul", { class: "problems" }, problems.map((p) => el("li", {}, p.line ? `Line ${p.line}: ${p.message}` : p.message)));
}

let base = "";

async function check(file) {
  resetPreview();
  if (!fitsUploadLimit(fileInput) || !file) { importMsg.clear(); return; }
  importMsg.say(`Checking “${file.name}”…`);
  try {
    const result = await upload(`${base}/import?dry_run=1`, file);
    checkedFile = file;
    byId("preview-list").replaceChildren(...result.questions.map((q) => el("li", {},
      el("p", {}, el("span", { class: "meta" }, `Line ${q.line} · ${TYPE_NAMES[q.type] || q.type} · `
        + `${plural(num(q.points), "point")}${q.category ? ` · Category: ${q.category}` : ""}`
        + `${q.tags.length ? ` · Tags: ${q.tags.join(", ")}` : ""}: `)), showContent(el("div", { class: "question-text", dir: "auto" }), q.html),
      el("ul", { class: "option-list" }, q.options.map((o) => el("li", { class: o.correct ? "correct" : "" },
        el("span", { class: "mark", "aria-hidden": "true" }, o.correct ? "✓" : "·"), showContent(el("span", { dir: "auto" }), o.html),
        o.correct ? el("span", { class: "visually-hidden" }, " (correct)") : null))))));
    showSkipped(result.skipped);
    byId("preview-title").textContent = `Preview: ${plural(result.count, "question")} in “${file.name}”`;
    importConfirm.textContent = `Import ${plural(result.count, "question")}`;
    preview.hidden = false;
    preview.scrollIntoView({ block: "nearest" });
    const skipped = result.skipped.length
      ? ` ${plural(result.skipped.length, "question")} of other types will be left out (listed below the preview).` : "";
    importMsg.say(`“${file.name}” is fine: ${plural(result.count, "question")} ready to import.${skipped} `
      + "Nothing is added yet.");
  } catch (error) {
    const found = error instanceof ApiError && error.status === 400 ? error.details.problems : null;
    if (found) {
      importMsg.fail(`“${file.name}” cannot be imported. ${error.hint || "Nothing was imported."}`, problemList(found));
    } else {
      importMsg.fail(error.message);
    }
    byId("import-alert").scrollIntoView({ block: "nearest" });
  }
}

// Questions of types this tool does not take (a Moodle essay, matching...): named, never half-imported.
function showSkipped(skipped) {
  const list = byId("preview-skipped");
  list.hidden = !skipped.length;
  list.replaceChildren(
    el("h5", { id: "preview-skipped-title" }, `Left out: ${plural(skipped.length, "question")} of other types`),
    el("ul", { "aria-labelledby": "preview-skipped-title" }, skipped.map((s) => el("li", {},
      `Line ${s.line}: `, el("bdi", {}, s.name || "(no name)"), ` (${s.type} question)`))));
}

/**
 * Wire the import and export controls. `after(count)` runs once an import has added `count` questions and answers
 * what the status line says; `locked` turns importing off (an exam students have taken); `fileName` names exports.
 */
export function questionImport({ api: address, after, locked = false, fileName }) {
  base = address;
  importForm.hidden = locked;
  if (locked) {
    byId("import-hint").textContent = "Importing is off: students have taken this exam, so no questions can be added.";
  }
  fileInput.addEventListener("change", () => check(fileInput.files[0]));
  importForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!fileInput.files[0]) {
      importMsg.fail("Choose a CSV, JSON, GIFT, Moodle XML or QTI file first.");
      fileInput.focus();
      return;
    }
    check(fileInput.files[0]);
  });
  byId("import-cancel").addEventListener("click", () => {
    resetPreview();
    fileInput.value = "";
    importMsg.say("Import cancelled; nothing was added.");
    fileInput.focus();
  });
  importConfirm.addEventListener("click", () => {
    if (!checkedFile) return;
    busy(importConfirm, "Importing…", async () => {
      const result = await upload(`${base}/import?dry_run=0`, checkedFile);
      resetPreview();
      fileInput.value = "";
      importMsg.say(await after(result.count));
    }).catch((error) => importMsg.fail(error.message));
  });

  const exportMsg = messenger("export-status", "export-alert");
  const exports = [["export-button", "", "json"], ["export-moodle", "?format=moodle_xml", "xml"],
    ["export-qti", "?format=qti", "zip"]];
  for (const [button, query, extension] of exports) {
    byId(button).addEventListener("click", (event) => {
      busy(event.currentTarget, "Preparing…", async () => {
        const name = await download(`${base}/export${query}`, `${fileName}.${extension}`);
        exportMsg.say(`Downloaded ${name}.`);
      }).catch((error) => exportMsg.fail(error.message));
    });
  }
}
