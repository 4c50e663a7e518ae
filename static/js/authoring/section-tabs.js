// The edit page's sections as tabs (the WAI-ARIA tabs pattern, activated by Enter or Space): one section shows at a
// time, the open one kept in the URL fragment so a reload and Back come back to it. Leaving a section with unsaved
// changes asks first: stay, or discard them.
import { pageFragment } from "../tab-state.js";
import { byId, confirmInline } from "./dom.js";
import { discard, hasUnsaved, onUnsavedChange } from "./unsaved.js";

const KEY = "section";

export function sectionTabs(tablist) {
  const tabs = [...tablist.querySelectorAll("[role=tab]")];
  const panelOf = (tab) => byId(tab.getAttribute("aria-controls"));
  const nameOf = (tab) => tab.firstChild.textContent;
  const confirmHost = byId("section-confirm");
  let current = null;

  function show(tab, { focus = false } = {}) {
    current = tab;
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      panelOf(other).hidden = !selected;
    }
    pageFragment.set(KEY, tab.dataset.section);
    if (focus) tab.focus();
  }

  /** Open `tab`, after asking when the open section has unsaved changes. */
  async function open(tab) {
    if (tab === current) return;
    const panel = panelOf(current);
    if (hasUnsaved(panel)) {
      const leave = await confirmInline(confirmHost, {
        question: `${nameOf(current)} has unsaved changes. Discard them and open ${nameOf(tab)}?`,
        confirm: "Discard changes", cancel: `Stay in ${nameOf(current)}`,
      });
      if (!leave) { current.focus(); return; }
      discard(panel);
    }
    show(tab, { focus: true });
  }

  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) open(tab);
  });
  tablist.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (at < 0 || to === undefined) return;
    event.preventDefault();
    tabs[(to + tabs.length) % tabs.length].focus();
  });
  onUnsavedChange(() => {
    for (const tab of tabs) tab.querySelector(".unsaved-mark")?.toggleAttribute("hidden", !hasUnsaved(panelOf(tab)));
  });

  show(tabs.find((tab) => tab.dataset.section === pageFragment.get(KEY)) || tabs[0]);
  tablist.hidden = false;
}
