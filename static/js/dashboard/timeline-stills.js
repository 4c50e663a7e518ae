// The camera's and the shared screen's stills on an attempt's timeline (the server sends every flagged still and
// at most one other of each kind a minute): a line per still with its thumbnail, flagged ones marked. A thumbnail
// is fetched (with the launch token, as a blob URL) only when its line scrolls into view, and kept until the
// panel closes, so the timeline's reloads fetch nothing twice.
import { el } from "../authoring/dom.js";
import { t } from "../i18n.js";
import { FLAG_WORDS, stillUrl } from "./stills.js";
import { timeOfDay } from "./wording.js";

export function timelineStills(examId) {
  const urls = new Map(); // still id -> blob URL (or its promise)
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      show(entry.target);
    }
  });

  async function show(image) {
    const id = Number(image.dataset.still);
    if (!urls.has(id)) urls.set(id, stillUrl(examId, id).catch(() => null));
    const url = await urls.get(id);
    if (url) image.src = url;
  }

  function line(still) {
    const what = still.kind === "screen" ? t("Screen picture") : t("Camera picture");
    const flag = still.flag ? FLAG_WORDS[still.flag] ?? still.flag : null;
    // The line's words say what the picture is: the thumbnail itself needs no text of its own.
    const image = el("img", { alt: "", "data-still": String(still.id), width: "96", height: "72" });
    observer.observe(image);
    return el("li", { class: `timeline-still${still.flag ? " flagged" : ""}` },
      el("time", { datetime: still.taken_at }, timeOfDay(still.taken_at)), " ",
      el("span", {}, what), flag ? el("span", { class: "tile-flag" }, `⚠ ${flag}`) : null, image);
  }

  return {
    /** [Date, line] for each still, the lines of the timeline's last rendering no longer watched. */
    lines(stills) {
      observer.disconnect();
      return stills.map((still) => [Date.parse(still.taken_at), line(still)]);
    },

    /** The panel closed: stop watching and free the thumbnails. */
    clear() {
      observer.disconnect();
      for (const url of urls.values()) url.then((made) => made && URL.revokeObjectURL(made));
      urls.clear();
    },
  };
}
