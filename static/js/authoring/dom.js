// Small DOM helpers for the authoring pages. Text always goes in as textContent, never as markup.

/**
 * el("button", { type: "button", class: "secondary", onclick: fn }, "Save")
 * Attributes: `class`, `text`, `on<event>` (listener), booleans (set when true), anything else as an attribute.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "value" || name === "checked" || name === "disabled" || name === "hidden") node[name] = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append children, skipping null/undefined/false (native append would write "null"). */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An SVG element (namespaced), attributes set as given. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  append(node, children);
  return node;
}

export function byId(id) {
  return document.getElementById(id);
}

/**
 * A message area: `say` for polite status text (role=status), `fail` for errors (role=alert).
 * Both areas live in the page shell so screen readers know them before they change.
 */
export function messenger(statusId, alertId) {
  const status = byId(statusId);
  const alert = byId(alertId);
  return {
    say(text) {
      if (alert) { alert.hidden = true; alert.replaceChildren(); }
      status.textContent = text;
    },
    fail(text, ...extra) {
      status.textContent = "";
      alert.replaceChildren(el("p", { text }), ...extra);
      alert.hidden = false;
    },
    clear() {
      status.textContent = "";
      if (alert) { alert.hidden = true; alert.replaceChildren(); }
    },
  };
}

/** Run `work` with `button` disabled (and its label swapped while busy); errors propagate. */
export async function busy(button, busyLabel, work) {
  const label = button.textContent;
  button.disabled = true;
  if (busyLabel) button.textContent = busyLabel;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

/**
 * Ask inline (no window.confirm: LMS iframes are often sandboxed without modals). Shows `question` with
 * a confirm and a cancel button inside `host`, focuses the safe choice, resolves true or false.
 */
export function confirmInline(host, { question, confirm, cancel = "Cancel", danger = true }) {
  return new Promise((resolve) => {
    const yes = el("button", { type: "button", class: danger ? "danger" : "" }, confirm);
    const no = el("button", { type: "button", class: "secondary" }, cancel);
    const box = el("div", { class: "confirm", role: "group", "aria-label": question },
      el("p", { text: question }), el("div", { class: "actions" }, yes, no));
    const done = (answer) => { box.remove(); resolve(answer); };
    yes.addEventListener("click", () => done(true));
    no.addEventListener("click", () => done(false));
    box.addEventListener("keydown", (event) => { if (event.key === "Escape") done(false); });
    host.querySelector(":scope > .confirm")?.remove();
    host.append(box);
    no.focus();
  });
}
