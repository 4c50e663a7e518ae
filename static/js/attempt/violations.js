// What the exam page notices for the proctors: the tab hidden (which a minimised window also does), the window
// losing focus, a reload, copy, paste, the context menu, the developer tools' shortcuts and a second screen.
// Nothing is blocked; each is reported once per occurrence: one tab_hidden per hide, a blur only when the page is
// not being hidden anyway and focus did not just go to the LMS page around the frame, a reload once by the page
// that comes back, and copy, paste, the context menu and the shortcuts at most once a second each.
//
// A click on the LMS page around the frame blurs the exam page just as leaving for another window does, and a
// cross-origin frame cannot see where focus went. So a blur is put down to the LMS page when the pointer left the
// frame shortly before, past the frame's edge, at a point inside the browser window away from its edges (onto the
// page around the frame, not out of the window towards another one). Alt+Tab with the pointer in the frame is still
// a blur (the window that comes over the pointer gives a mouseout inside the frame, which does not count); so is
// leaving the window with the pointer across a frame that touches the window's edge, and so any blur in full
// screen, where the frame is the whole window and there is no LMS page to click. Missed: a keyboard switch to
// another window within a few seconds of the pointer going onto the LMS page, a click in the browser's own toolbar,
// and whatever the student does once focus is in the LMS page (a switch to another tab there still hides this page
// and is reported as tab_hidden).

const REPEAT_MS = 1000;
// Switching tabs blurs the window a moment before it hides the page (exported: the tests wait it out).
export const BLUR_SETTLE_MS = 500;
const POINTER_OUT_MS = 3000; // a pointer that left for the LMS page this long before a blur explains it
const WINDOW_EDGE_PX = 8;

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

/** Whether a mouseout is the pointer leaving this frame for the page around it. Chromium gives the first point
 * past the frame's edge; a mouseout at a point still inside the frame is another window coming over the pointer. */
function ontoEmbeddingPage(event) {
  if (event.relatedTarget !== null || window.top === window) return false;
  const pastFrameEdge = event.clientX < 0 || event.clientY < 0
    || event.clientX >= window.innerWidth || event.clientY >= window.innerHeight;
  const x = event.screenX - window.screenX;
  const y = event.screenY - window.screenY;
  return pastFrameEdge && x > WINDOW_EDGE_PX && x < window.outerWidth - WINDOW_EDGE_PX
    && y > WINDOW_EDGE_PX && y < window.outerHeight - WINDOW_EDGE_PX;
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
    this.pointerLeftAt = -Infinity; // performance.now() when the pointer went onto the LMS page
    this.listeners = [
      [document, "visibilitychange", () => this.visibilityChanged()],
      // An unloading page is hidden too: a reload is told by the page that comes back, a closed one shows offline.
      [window, "pagehide", () => { this.unloading = true; }],
      [window, "blur", () => this.blurred()],
      [document, "mouseout", (event) => {
        if (ontoEmbeddingPage(event)) this.pointerLeftAt = performance.now();
      }],
      [document, "mousemove", () => { this.pointerLeftAt = -Infinity; }],
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
    if (this.hidden || performance.now() - this.pointerLeftAt < POINTER_OUT_MS) return; // to the LMS page
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
