// What the exam page notices for the proctors: the tab hidden (which a minimised window also does), the window
// losing focus, a reload, copy, paste, the context menu, the developer tools' shortcuts and a second screen.
// Nothing is blocked; each is reported once per occurrence: one tab_hidden per hide, a blur only when the page is
// not being hidden anyway, a reload once by the page that comes back, and copy, paste, the context menu and the
// shortcuts at most once a second each.

const REPEAT_MS = 1000;
const BLUR_SETTLE_MS = 500; // switching tabs blurs the window a moment before it hides the page

/** Whether this page was loaded by a reload (the browser's button, F5, location.reload()). */
function reloaded() {
  return performance.getEntriesByType("navigation")[0]?.type === "reload";
}

/** The developer tools' shortcut a key press is, e.g. "Ctrl+Shift+I", or null. */
function devtoolsShortcut(event) {
  if (event.key === "F12") return "F12";
  const letter = { KeyI: "I", KeyJ: "J", KeyC: "C" }[event.code];
  if (!letter) return null;
  if (event.ctrlKey && event.shiftKey) return `Ctrl+Shift+${letter}`;
  if (event.metaKey && event.shiftKey) return `Cmd+Shift+${letter}`;
  if (event.metaKey && event.altKey) return `Cmd+Option+${letter}`;
  return null;
}

export class ViolationWatch {
  /** @param {(kind: string, detail?: string, at?: number) => void} report  at: Date.now() when it happened */
  constructor(report) {
    this.report = report;
    this.hidden = false;
    this.unloading = false;
    this.extended = false;
    this.lastReported = new Map(); // kind -> performance.now()
    this.blurTimer = null;
    this.listeners = [
      [document, "visibilitychange", () => this.visibilityChanged()],
      // An unloading page is hidden too: a reload is told by the page that comes back, a closed one shows offline.
      [window, "pagehide", () => { this.unloading = true; }],
      [window, "blur", () => this.blurred()],
      [document, "copy", () => this.atMostOncePerSecond("copy")],
      [document, "paste", () => this.atMostOncePerSecond("paste")],
      [document, "contextmenu", () => this.atMostOncePerSecond("context_menu")],
      [document, "keydown", (event) => {
        const shortcut = devtoolsShortcut(event);
        if (shortcut) this.atMostOncePerSecond("devtools_shortcut", shortcut);
      }],
    ];
    // The Window Management API, where the browser has it.
    if ("isExtended" in screen) this.listeners.push([screen, "change", () => this.checkScreens()]);
  }

  start() {
    for (const [target, type, listener] of this.listeners) target.addEventListener(type, listener);
    this.visibilityChanged();
    if ("isExtended" in screen) this.checkScreens();
    if (reloaded()) this.report("page_reloaded", undefined, Math.round(performance.timeOrigin));
  }

  stop() {
    for (const [target, type, listener] of this.listeners) target.removeEventListener(type, listener);
    clearTimeout(this.blurTimer);
  }

  visibilityChanged() {
    const hidden = document.visibilityState === "hidden";
    if (hidden && !this.hidden && !this.unloading) this.report("tab_hidden");
    this.hidden = hidden;
  }

  blurred() {
    if (this.hidden) return;
    const at = Date.now();
    clearTimeout(this.blurTimer);
    this.blurTimer = setTimeout(() => {
      if (document.visibilityState !== "hidden") this.report("window_blur", undefined, at);
    }, BLUR_SETTLE_MS);
  }

  atMostOncePerSecond(kind, detail) {
    const now = performance.now();
    if (now - (this.lastReported.get(kind) ?? -Infinity) < REPEAT_MS) return;
    this.lastReported.set(kind, now);
    this.report(kind, detail);
  }

  checkScreens() {
    const extended = Boolean(screen.isExtended);
    if (extended && !this.extended) this.report("multiple_screens", "More than one screen is connected.");
    this.extended = extended;
  }
}
