// The proctor's live room for one exam (the link's exam, or ?id= from the test maker's pages): every student
// with presence, status, time left, violations and the last event, live over /ws/proctor; exam-wide controls;
// a dialog per student. After the exam the same page is the review: final statuses, timelines, the report.
import { byId } from "../authoring/dom.js";
import { examIdFromQuery, plural, statusText } from "../authoring/format.js";
import { fillNav } from "../authoring/nav.js";
import { cameraTiles } from "../dashboard/camera-tiles.js";
import { cameraZoom } from "../dashboard/camera-zoom.js";
import { examControls } from "../dashboard/exam-controls.js";
import { newsLine } from "../dashboard/news.js";
import { PAGE_SIZE, Room } from "../dashboard/roster.js";
import { RoomSocket } from "../dashboard/socket.js";
import { studentPanel } from "../dashboard/student-panel.js";
import { roomTable } from "../dashboard/table.js";
import { api } from "../session.js";
import { loadIdentity } from "./identity.js";

const TICK_MS = 1000;
const ROSTER_TIMEOUT_MS = 8000;
// Several reasons for a new roster in a row make one.
const RESYNC_DELAY_MS = 3000;

const connection = byId("connection");
const pageAlert = byId("page-alert");
const news = newsLine(byId("room-news"));
const filters = { sort: "name", search: "", status: "", presence: "", withViolations: false, page: 1 };
let socket;
let controls;
let panel;
let zoom;
let renderQueued = false;
let resyncTimer = null;
let connectionLost = false;

const room = new Room({
  onChange(change) {
    if (change.reloaded) byId("room").hidden = false;
    news.add(change.news);
    panel.changed(change);
    if (change.exam || change.reloaded) controls.update();
    queueRender();
  },
  needsRoster: resyncSoon,
});

function resyncSoon() {
  clearTimeout(resyncTimer);
  resyncTimer = setTimeout(() => socket.reconnect(), RESYNC_DELAY_MS);
}

const table = roomTable(byId("room-table"), { onOpen: (userId) => panel.open(userId) });
let tiles = null;

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function summaryText() {
  const counts = room.counts();
  const parts = [plural(counts.students, "student")];
  for (const status of ["in_progress", "paused", "not_started", "submitted", "timed_out", "terminated"]) {
    if (counts[status]) parts.push(`${counts[status]} ${statusText(status).toLowerCase()}`);
  }
  parts.push(`${counts.online} online`);
  return parts.join(" · ");
}

function render() {
  if (!room.exam) return;
  const view = room.view(filters);
  filters.page = view.page;
  const filtered = filters.search || filters.status || filters.presence || filters.withViolations;
  table.render(view.rows, room, filtered ? "No student matches these filters." : "No students in this course yet.");
  tiles?.render(view.rows);
  const first = view.total ? (view.page - 1) * PAGE_SIZE + 1 : 0;
  const shown = view.total ? `Showing ${first}–${first + view.rows.length - 1} of ${view.total}` : "Showing none";
  const text = filtered ? `${shown} matching (of ${room.rows.size} students).` : `${shown}.`;
  if (byId("view-summary").textContent !== text) byId("view-summary").textContent = text;
  const summary = summaryText();
  if (byId("room-summary").textContent !== summary) byId("room-summary").textContent = summary;
  byId("pager").hidden = view.pages < 2;
  byId("page-position").textContent = `Page ${view.page} of ${view.pages}`;
  byId("page-previous").disabled = view.page <= 1;
  byId("page-next").disabled = view.page >= view.pages;
}

function readFilters(resetPage) {
  Object.assign(filters, {
    sort: byId("sort").value, search: byId("filter-search").value, status: byId("filter-status").value,
    presence: byId("filter-presence").value, withViolations: byId("filter-violations").checked,
  });
  if (resetPage) filters.page = 1;
  queueRender();
}

byId("room-filters").addEventListener("input", () => readFilters(true));
byId("room-filters").addEventListener("submit", (event) => event.preventDefault());
byId("page-previous").addEventListener("click", () => { filters.page -= 1; render(); });
byId("page-next").addEventListener("click", () => { filters.page += 1; render(); });

function showConnection({ state, retryAt, message }) {
  connection.dataset.state = state;
  if (state === "connecting") room.awaitRoster();
  const lost = state === "retrying" || state === "offline";
  if (lost && !connectionLost) news.say("Connection to the room lost.");
  if (state === "live" && connectionLost) news.say("Reconnected: the room is up to date again.");
  if (lost || state === "live") connectionLost = lost;
  const seconds = retryAt ? Math.max(1, Math.round((retryAt - Date.now()) / 1000)) : 0;
  const words = {
    connecting: "Connecting to the room…",
    live: "Live: changes appear as they happen.",
    retrying: `Connection lost. Trying again in ${plural(seconds, "second")}; the table may be out of date until then.`,
    offline: "You are offline. The table may be out of date; the room reconnects when your connection returns.",
    forbidden: `The room refused this dashboard: ${message || "you may not proctor this exam."} `
      + "Ask the exam's test maker to list your email address among its proctors, then open the tool again from "
      + "the course.",
    expired: "Your session has ended, so the room stopped updating. Open the tool again from your course.",
  }[state];
  connection.textContent = words;
  if (state === "live" || state === "connecting") pageAlert.hidden = true;
  if (state === "forbidden" || state === "expired") {
    pageAlert.textContent = words;
    pageAlert.hidden = false;
  }
}

async function refreshRoster() {
  // The LMS's roster (NRPS) adds the students who never opened the tool, so "not started" is complete.
  const note = byId("roster-note");
  try {
    await api("/api/course/roster/refresh", { method: "POST", timeoutMs: ROSTER_TIMEOUT_MS });
  } catch (error) {
    note.textContent = `Only students who have opened the tool are listed: ${error.message}`;
    note.hidden = false;
  }
}

try {
  const { me, exam } = await loadIdentity();
  const examId = examIdFromQuery() ?? exam?.id;
  if (!examId) {
    throw new Error("No exam is bound to this course link. The test maker can bind one, or open the live room "
      + "from the exam's pages.");
  }
  if (exam && exam.id === examId) byId("page-title").textContent = `Live room: “${exam.title}”`;
  socket = new RoomSocket({
    examId,
    onState: showConnection,
    onMessage(message) {
      if (message.type === "snapshot") {
        if (message.kind !== "screen") tiles?.snapshot(message);  // a tile shows the camera
        queueRender();
      } else if (message.type === "roster") {
        room.load(message);
        byId("page-title").textContent = `Live room: “${message.exam.title}”`;
        document.title = `Live room: ${message.exam.title} · ${document.title.split(" · ").pop()}`;
      } else {
        room.apply(message);
      }
    },
  });
  const send = (message) => socket.send(message);
  controls = examControls({ examId, room, send, resync: resyncSoon });
  if (me.roles.includes("test_maker")) {
    fillNav(examId, "Live room");
    byId("page-nav").hidden = false;
  }
  panel = studentPanel({ examId, room, send });
  const cameraTileSet = cameraTiles({
    examId, section: byId("cameras"), grid: byId("camera-grid"), note: byId("cameras-note"),
    onZoom: (userId, from) => zoom.open(userId, from),
  });
  if (await cameraTileSet.load().catch(() => false)) {
    tiles = cameraTileSet;
    zoom = cameraZoom({ examId, room, tiles });
  }
  await refreshRoster();
  socket.connect();
  setInterval(() => {
    panel.tick();
    controls.update();
    queueRender();
  }, TICK_MS);
} catch (error) {
  connection.textContent = "";
  pageAlert.textContent = `The live room could not open: ${error.message}`;
  pageAlert.hidden = false;
}
