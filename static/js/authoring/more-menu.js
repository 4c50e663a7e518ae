// Less used actions behind one "More" button: a disclosure (the button's aria-expanded) over a list of buttons.
// The button opens and closes it; Escape inside closes it and puts focus back on the button; choosing an action or
// pressing anywhere else closes it too. Tab walks the open list like any other buttons.
import { el } from "./dom.js";

let made = 0;

/** The "More" button, named `label` for screen readers, and the list of `buttons` (nulls skipped) it shows. */
export function moreMenu(label, buttons) {
  const id = `more-menu-${++made}`;
  const toggle = el("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": id,
    "aria-label": label }, "More ", el("span", { "aria-hidden": "true" }, "▾"));
  const list = el("ul", { id, class: "more-list", hidden: true },
    buttons.filter(Boolean).map((button) => el("li", {}, button)));
  const menu = el("div", { class: "more-menu" }, toggle, list);
  const outside = (event) => { if (!menu.contains(event.target)) show(false); };
  function show(open) {
    toggle.setAttribute("aria-expanded", String(open));
    list.hidden = !open;
    if (open) document.addEventListener("pointerdown", outside);
    else document.removeEventListener("pointerdown", outside);
  }
  toggle.addEventListener("click", () => show(list.hidden));
  list.addEventListener("click", (event) => { if (event.target.closest("button")) show(false); });
  menu.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || list.hidden) return;
    event.preventDefault();
    show(false);
    toggle.focus();
  });
  return menu;
}

/** Give focus back to `button`, or to the "More" button of the list holding it: choosing an action closed it. */
export function refocus(button) {
  (button.closest(".more-menu")?.firstElementChild ?? button).focus();
}
