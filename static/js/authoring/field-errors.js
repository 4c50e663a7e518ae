// A form's problems shown where the eye is: each message in an element right after its field (named by the field's
// aria-describedby, the field marked aria-invalid), focus on the first field in the page's order, scrolled into
// view. The browser's own checks (required, min, max, step) and the server's `error.fields` use the same display.
import { el } from "./dom.js";

/** What the browser found wrong with `input` (its required/min/max/step), in the server's words. */
function constraintProblem(input) {
  const v = input.validity;
  if (v.valid) return null;
  if (v.valueMissing) return "Cannot be empty.";
  if (input.type === "datetime-local") return "Enter the whole date and time, or leave it empty.";
  if (input.type === "number") {
    const whole = input.step === "1";
    const { min, max } = input;
    const range = (min && max && ` from ${min} to ${max}`) || (min && ` of at least ${min}`)
      || (max && ` of at most ${max}`) || "";
    return `Must be a ${whole ? "whole number" : "number"}${range}.`;
  }
  return "Check this value.";
}

/**
 * `find(name)` answers the input a field name (the server's) stands for; by default the form's element of that name
 * (the first of a radio group).
 */
export function fieldErrors(form, { find = (name) => form.elements[name] } = {}) {
  const shown = new Map(); // input -> its error element

  function clear() {
    for (const [input, error] of shown) {
      error.remove();
      input.removeAttribute("aria-invalid");
      const rest = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== error.id);
      if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
      else input.removeAttribute("aria-describedby");
    }
    shown.clear();
  }

  function place(input, message) {
    const named = input instanceof RadioNodeList ? input[0] : input;
    const error = el("p", { id: `${named.id}-error`, class: "error-text field-error" }, message);
    // After the field's own box (a .check row holds the checkbox and its label), so the label stays next to it.
    (named.closest(".check, .option-main") || named).after(error);
    named.setAttribute("aria-invalid", "true");
    named.setAttribute("aria-describedby",
      [error.id, ...(named.getAttribute("aria-describedby") || "").split(" ")].filter(Boolean).join(" "));
    shown.set(named, error);
    return named;
  }

  /** Show `{name: message}`; focus the first field shown. Answers how many fields were shown. */
  function show(fields) {
    clear();
    const inputs = Object.entries(fields).map(([name, message]) => {
      const input = find(name);
      return input ? place(input, message) : null;
    }).filter(Boolean);
    inputs.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    if (inputs.length) {
      inputs[0].focus({ preventScroll: true });
      inputs[0].scrollIntoView({ block: "center" });
    }
    return inputs.length;
  }

  /** The browser's checks on every field, then `extra()`'s ({name: message}); shows them, answers true if none. */
  function check(extra = () => ({})) {
    const fields = {};
    for (const input of form.elements) {
      const problem = input.willValidate && input.name ? constraintProblem(input) : null;
      if (problem) fields[input.name] = problem;
    }
    Object.assign(fields, extra());
    return show(fields) === 0;
  }

  return { show, check, clear };
}

/** The words for a form-level alert when problems are shown next to `count` fields. */
export function notSaved(count) {
  return count === 1 ? "Not saved: one field needs a change." : `Not saved: ${count} fields need a change.`;
}
