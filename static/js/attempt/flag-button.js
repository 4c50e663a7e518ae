// The flag button says what a click does now: "Flag for review", or on a flagged question "Flagged: remove flag".
// aria-pressed still carries the state for screen readers.

/** Show a question's flag on its button. */
export function showFlag(button, flagged) {
  button.setAttribute("aria-pressed", String(flagged));
  button.querySelector(".flag-words").textContent = flagged ? "Flagged: remove flag" : "Flag for review";
}
