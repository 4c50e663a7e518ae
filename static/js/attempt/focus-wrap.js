// Keeps keyboard focus inside the exam page: Tab from its last control goes to its first, Shift+Tab from its
// first to its last. Otherwise the keyboard walks on into the LMS page around the frame, which blurs the exam
// page just as leaving it for another window does. With a modal dialog open only its controls can take focus
// (the browser makes the rest inert), so the wrap goes round those.

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]";

function tabStops(root) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((element) => element.tabIndex >= 0
    && !element.matches(":disabled") && !element.closest("[inert]") && element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== "hidden");
}

/** One stop of the walk: the element itself, or any radio button of its group (a group is one stop). */
function sameStop(a, b) {
  return a === b || (a.type === "radio" && b.type === "radio" && a.name === b.name && a.form === b.form);
}

/** Whether `element` comes after `stop` in the walk: the stop itself, or anything later in the page. */
function atOrAfter(element, stop) {
  return sameStop(element, stop) || (stop.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING
    && !stop.contains(element));
}

function atOrBefore(element, stop) {
  return sameStop(element, stop) || (stop.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_PRECEDING
    && !element.contains(stop));
}

function onKeydown(event) {
  if (event.key !== "Tab" || event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
  const active = document.activeElement;
  // With nothing focused the browser starts from where the student last clicked: it cannot be told from here.
  if (!active || active === document.body) return;
  const stops = tabStops(document.querySelector("dialog:modal") ?? document);
  if (stops.length === 0) {
    event.preventDefault();
    return;
  }
  const [first, last] = [stops[0], stops[stops.length - 1]];
  if (event.shiftKey ? atOrBefore(active, first) : atOrAfter(active, last)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}

export function wrapFocus() {
  document.addEventListener("keydown", onKeydown);
}
