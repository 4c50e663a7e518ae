// The camera grid of the dashboard: a tile per student on the page in view (the same sort, filter and page of
// 50 as the table). Snapshot mode: each student's latest still, replaced when the socket says a new one was
// taken; a still the face check flagged is marked in words and with a red frame. Agora mode: each student's
// live small stream (live-feeds.js). A tile is a button: it opens the zoom (camera-zoom.js). Its name is its
// text, "Name: camera picture 10:21:03 ⚠ No face" ("camera picture" unseen), so what a speech user reads off it is what opens it.
import { el } from "../authoring/dom.js";
import { t } from "../i18n.js";
import { api } from "../session.js";
import { LiveFeeds } from "./live-feeds.js";
import { FLAG_WORDS, stillUrl } from "./stills.js";
import { timeOfDay } from "./wording.js";

export function cameraTiles({ examId, section, grid, note, onZoom }) {
  const latest = new Map(); // attempt id -> { id, taken_at, flag }
  const tiles = new Map(); // user id -> tile
  let mode = "off";
  let feeds = null;

  function newTile(row) {
    const picture = el("div", { class: "tile-picture" });
    const name = document.createTextNode("");
    const what = el("span", { class: "visually-hidden" });
    const flag = el("span", { class: "tile-flag" });
    const time = el("span", { class: "tile-time meta" });
    const button = el("button", { type: "button", class: "camera-tile", "aria-haspopup": "dialog",
      onclick: () => onZoom(row.userId, button) }, el("span", { class: "tile-text" }, el("span", { class: "tile-name" }, el("bdi", {}, name), ":", what), time, flag),
      picture);
    return { item: el("li", {}, button), button, picture, name, what, flag, time, shown: null, url: null,
      loading: null };
  }

  /** Put still `snapshot` in the tile (fetching it once), with its flag and time. */
  async function showStill(tile, snapshot) {
    if (tile.loading === snapshot.id || tile.shown === snapshot.id) return;
    tile.loading = snapshot.id;
    let url;
    try {
      url = await stillUrl(examId, snapshot.id);
    } catch {
      tile.loading = null;
      return; // deleted meanwhile, or offline: the next still tries again
    }
    if (tile.loading !== snapshot.id) {
      URL.revokeObjectURL(url);
      return;
    }
    if (tile.url) URL.revokeObjectURL(tile.url);
    Object.assign(tile, { url, shown: snapshot.id, loading: null });
    tile.picture.replaceChildren(el("img", { src: url, alt: "" }));
    tile.button.classList.toggle("flagged", Boolean(snapshot.flag));
    tile.flag.textContent = snapshot.flag ? `⚠ ${FLAG_WORDS[snapshot.flag] ?? snapshot.flag}` : "";
    tile.time.textContent = timeOfDay(snapshot.taken_at);
    sayWhat(tile);
  }

  function sayWhat(tile) {
    // Without a picture the tile's own words follow ("No picture yet", "Not started").
    tile.what.textContent = mode === "agora" ? t("live camera") : tile.shown ? t("camera picture") : "";
  }

  function describe(tile, row) {
    const name = row.name || t("(name not known yet)");
    if (tile.name.data !== name) tile.name.data = name;
    sayWhat(tile);
  }

  return {
    /** Read the exam's camera; false when it uses none (the grid stays hidden). */
    async load() {
      const camera = await api(`/api/exams/${examId}/camera`);
      mode = camera.mode;
      if (mode === "off") return false;
      for (const [attemptId, snapshot] of Object.entries(camera.latest)) latest.set(Number(attemptId), snapshot);
      section.hidden = false;
      if (mode === "agora") {
        feeds = new LiveFeeds({ examId, agora: camera.agora });
        note.textContent = t("Live cameras of the students on this page, small; open one for the full picture.");
        feeds.start().catch((error) => {
          note.textContent = t("The live cameras could not be reached (%(reason)s); "
            + "open a student for the pictures their page sends instead.", { reason: error.message });
        });
      } else {
        note.textContent = t("The latest picture from each student on this page; open one for it larger and the "
          + "earlier ones.");
      }
      return true;
    },

    get mode() { return mode; },
    get feeds() { return feeds; },

    /** The socket's word of a new still ({attempt_id, snapshot_id, at, flag}). */
    snapshot(message) {
      latest.set(message.attempt_id, { id: message.snapshot_id, taken_at: message.at, flag: message.flag });
    },

    /** Show the tiles of `rows` (the page in view), in order. */
    render(rows) {
      if (mode === "off") return;
      const shown = new Set(rows.map((r) => r.userId));
      for (const [userId, tile] of tiles) {
        if (shown.has(userId)) continue;
        if (tile.url) URL.revokeObjectURL(tile.url);
        tiles.delete(userId);
      }
      const order = rows.map((row) => {
        let tile = tiles.get(row.userId);
        if (!tile) {
          tile = newTile(row);
          tiles.set(row.userId, tile);
        }
        const snapshot = row.attemptId ? latest.get(row.attemptId) : null;
        if (mode === "snapshot" && snapshot) showStill(tile, snapshot);
        if (!tile.picture.firstChild && mode === "snapshot") {
          tile.picture.append(el("span", { class: "tile-empty" },
            row.attemptId ? t("No picture yet") : t("Not started")));
        }
        describe(tile, row);
        return tile.item;
      });
      const current = [...grid.children];
      if (current.length !== order.length || current.some((item, i) => item !== order[i])) {
        const focused = grid.contains(document.activeElement) ? document.activeElement : null;
        grid.replaceChildren(...order);
        focused?.focus({ preventScroll: true });
      }
      feeds?.show(new Map(rows.map((row) => [row.userId, tiles.get(row.userId).picture])));
    },
  };
}
