// The flag button says what a click does now: "Flag for review", or on a flagged question "Flagged: remove flag".
// The words carry the state, so the button is no aria-pressed toggle: a toggle's name must not change with its
// state (WAI-ARIA), or a screen reader would read "Flagged: remove flag, pressed".
import { t } from "../i18n.js";

/** Show a question's flag on its button. */
export function showFlag(button, flagged) {
  button.classList.toggle("flagged", flagged);
  button.querySelector(".flag-words").textContent = flagged ? t("Flagged: remove flag") : t("Flag for review");
}
