// One student's camera, large, in a dialog opened from their tile: Agora mode plays their full (high) stream
// until the dialog closes; both modes list the stills kept for the attempt, newest first (in Agora mode those
// are the face check's evidence), flagged ones marked, each opened large with a click; the shared screen's
// stills (an exam with screen sharing) in a list of their own.
import { byId, el } from "../authoring/dom.js";
import { t, tn } from "../i18n.js";
import { api } from "../session.js";
import { FLAG_WORDS, stillUrl } from "./stills.js";
import { timeOfDay } from "./wording.js";

const HISTORY_SHOWN = 24;

/** "3 camera pictures and 2 of the screen; the newest 24 of each are shown, newest first." */
function pictureCount(cameraCount, screenCount, cut) {
  const camera = tn("%(n)s camera picture", "%(n)s camera pictures", cameraCount);
  const shown = HISTORY_SHOWN;
  if (!screenCount) {
    return cut ? t("%(camera)s; the newest %(shown)s of each are shown, newest first.", { camera, shown })
      : t("%(camera)s, newest first.", { camera });
  }
  const screen = tn("%(n)s of the screen", "%(n)s of the screen", screenCount);
  return cut ? t("%(camera)s and %(screen)s; the newest %(shown)s of each are shown, newest first.",
    { camera, screen, shown })
    : t("%(camera)s and %(screen)s, newest first.", { camera, screen });
}

export function cameraZoom({ examId, room, tiles }) {
  const dialog = byId("camera-zoom");
  const urls = new Set();
  let opener = null;
  let userId = null;

  async function url(snapshotId) {
    const made = await stillUrl(examId, snapshotId);
    urls.add(made);
    return made;
  }

  async function showLarge(snapshot) {
    byId("zoom-still").hidden = false;
    byId("zoom-image").src = await url(snapshot.id);
    const name = room.rows.get(userId)?.name;
    const time = timeOfDay(snapshot.taken_at);
    const screen = snapshot.kind === "screen";
    byId("zoom-image").alt = name
      ? (screen ? t("Screen picture of %(name)s at %(time)s", { name, time })
        : t("Camera picture of %(name)s at %(time)s", { name, time }))
      : (screen ? t("Screen picture of the student at %(time)s", { time })
        : t("Camera picture of the student at %(time)s", { time }));
    const flag = snapshot.flag && (FLAG_WORDS[snapshot.flag] ?? snapshot.flag);
    byId("zoom-caption").textContent = flag
      ? (screen ? t("Screen · %(time)s · flagged: %(flag)s", { time, flag })
        : t("%(time)s · flagged: %(flag)s", { time, flag }))
      : (screen ? t("Screen · %(time)s", { time }) : time);
    byId("zoom-still").classList.toggle("flagged", Boolean(snapshot.flag));
  }

  async function item(snapshot) {
    const time = timeOfDay(snapshot.taken_at);
    const flag = snapshot.flag && (FLAG_WORDS[snapshot.flag] ?? snapshot.flag);
    const label = snapshot.flag ? t("Show the picture of %(time)s, flagged: %(flag)s", { time, flag })
      : t("Show the picture of %(time)s", { time });
    const image = el("img", { alt: "", src: await url(snapshot.id).catch(() => "") });
    return el("li", { class: snapshot.flag ? "flagged" : "" },
      el("button", { type: "button", class: "history-still", "aria-label": label,
        onclick: () => showLarge(snapshot) }, image,
      el("span", { class: "meta" }, time),
      snapshot.flag ? el("span", { class: "tile-flag" }, `⚠ ${flag}`) : null));
  }

  async function fill(list, title, snapshots) {
    list.replaceChildren(...await Promise.all(snapshots.map(item)));
    list.hidden = title.hidden = !snapshots.length;
  }

  async function loadHistory(row) {
    const status = byId("zoom-history-status");
    const list = byId("zoom-history");
    const screenList = byId("zoom-screen-history");
    list.replaceChildren();
    screenList.replaceChildren();
    screenList.hidden = byId("zoom-screen-title").hidden = true;
    if (!row.attemptId) {
      status.textContent = t("This student has not started the exam.");
      return;
    }
    status.textContent = t("Loading the pictures…");
    try {
      const { snapshots } = await api(`/api/exams/${examId}/attempts/${row.attemptId}/snapshots`);
      if (userId !== row.userId) return;
      const camera = snapshots.filter((s) => s.kind !== "screen");
      const screen = snapshots.filter((s) => s.kind === "screen");
      const shown = camera.slice(0, HISTORY_SHOWN);
      const screenShown = screen.slice(0, HISTORY_SHOWN);
      const cut = camera.length > shown.length || screen.length > screenShown.length;
      status.textContent = snapshots.length ? pictureCount(camera.length, screen.length, cut)
        : t("No pictures kept for this attempt.");
      if (tiles.mode === "snapshot" && shown.length) showLarge(shown[0]);
      await Promise.all([fill(list, byId("zoom-camera-title"), shown),
        fill(screenList, byId("zoom-screen-title"), screenShown)]);
    } catch (error) {
      status.textContent = t("Could not load the pictures: %(reason)s", { reason: error.message });
    }
  }

  byId("zoom-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    tiles.feeds?.unzoom();
    for (const made of urls) URL.revokeObjectURL(made);
    urls.clear();
    byId("zoom-image").removeAttribute("src");
    userId = null;
    (opener?.isConnected ? opener : byId("students-title")).focus();
  });

  return {
    open(id, from) {
      const row = room.rows.get(id);
      if (!row) return;
      userId = id;
      opener = from;
      byId("zoom-title").textContent = row.name ? t("Camera: %(name)s", { name: row.name }) : t("Camera: student");
      byId("zoom-still").hidden = true;
      const live = byId("zoom-live");
      live.hidden = tiles.mode !== "agora";
      live.replaceChildren();
      if (!dialog.open) dialog.showModal();
      byId("zoom-title").focus();
      if (tiles.mode === "agora") tiles.feeds?.zoom(id, live);
      loadHistory(row);
    },
  };
}
