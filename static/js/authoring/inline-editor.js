// A list of questions whose forms open in place: an item's form replaces it while open, a new question's form opens
// in `host` under the list with the add button hidden; one form at a time. Used by an exam's question list and the
// course's question bank.
import { forget, watch } from "./unsaved.js";

/** `canAdd()`: whether the add button shows once no form is open; focus goes back to the item's Edit button, else to
 * the add button, else to `heading`. */
export function inlineEditor({ list, host, addButton, heading, canAdd = () => true }) {
  let editor = null; // the open form and the id of its question (null for a new one)

  function close({ restoreFocus = true } = {}) {
    if (!editor) return;
    const { form, questionId } = editor;
    form.remove();
    forget(form);
    editor = null;
    const item = list.querySelector(`[data-question-id="${questionId}"]`);
    if (item) item.hidden = false;
    addButton.hidden = !canAdd();
    if (restoreFocus) {
      (item?.querySelector('[data-action="edit"]') || (addButton.hidden ? heading : addButton)).focus();
    }
  }

  function open(form, questionId) {
    editor = { form, questionId };
    // Discarding an open editor's changes closes it: what was saved is still in the list.
    watch(form, () => close({ restoreFocus: false }));
    if (questionId !== null) {
      const item = list.querySelector(`[data-question-id="${questionId}"]`);
      item.hidden = true;
      item.after(form);
    } else {
      host.append(form);
      addButton.hidden = true;
    }
    form.querySelector("h3").focus();
  }

  return { open, close };
}
