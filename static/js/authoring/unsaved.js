// Which forms of the edit page hold changes not yet saved. Each form's section shows it ("Unsaved changes" beside
// its Save button and on its tab); leaving the page asks first (beforeunload, for the LMS around the frame, a
// reload or closing the tab); a save or a discard clears it.

const forms = new Map(); // form -> { dirty, reset }
const listeners = new Set();

function changed() {
  for (const listener of listeners) listener();
}

function mark(form, dirty) {
  const entry = forms.get(form);
  if (!entry || entry.dirty === dirty) return;
  entry.dirty = dirty;
  for (const note of form.querySelectorAll(".unsaved-note")) note.hidden = !dirty;
  changed();
}

/** Follow `form`'s edits; `reset()` puts back what was saved when the test maker discards the changes. */
export function watch(form, reset) {
  forms.set(form, { dirty: false, reset });
  const edited = (event) => {
    if (event.target.type !== "search") mark(form, true); // a search box only finds people: nothing to save
  };
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
}

/** Stop following a form that is gone (a closed question editor). */
export function forget(form) {
  if (forms.delete(form)) changed();
}

export function saved(form) {
  mark(form, false);
}

/** Put back the saved values of every changed form inside `container`. */
export function discard(container) {
  for (const [form, entry] of forms) {
    if (entry.dirty && container.contains(form)) {
      entry.reset();
      mark(form, false);
    }
  }
}

export function hasUnsaved(container = document) {
  return [...forms].some(([form, entry]) => entry.dirty && container.contains(form));
}

/** Call `listener()` whenever a form becomes changed or saved. */
export function onUnsavedChange(listener) {
  listeners.add(listener);
}

addEventListener("beforeunload", (event) => {
  if (hasUnsaved()) event.preventDefault();
});
