// The proctor's live room for one exam (the link's exam, or ?id= from the test maker's pages): every student
// with presence, status, time left, violations and the last event, live over /ws/proctor; exam-wide controls;
// a dialog per student. After the exam the same page is the review: final statuses, timelines, the report.
import { byId } from "../authoring/dom.js";
import { examIdFromQuery } from "../authoring/format.js";
import { fillNav } from "../authoring/nav.js";
import { cameraTiles } from "../dashboard/camera-tiles.js";
import { cameraZoom } from "../dashboard/camera-zoom.js";
import { examControls } from "../dashboard/exam-controls.js";
import { newsLine } from "../dashboard/news.js";
import { PAGE_SIZE, Room } from "../dashboard/roster.js";
import { RoomSocket } from "../dashboard/socket.js";
import { studentPanel } from "../dashboard/student-panel.js";
import { roomTable } from "../dashboard/table.js";
import { t, tn } from "../i18n.js";
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

// The summary line's count of each status, in this order.
const STATUS_COUNTS = {
  in_progress: (n) => tn("%(n)s in progress", "%(n)s in progress", n),
  paused: (n) => tn("%(n)s paused", "%(n)s paused", n),
  not_started: (n) => tn("%(n)s not started", "%(n)s not started", n),
  submitted: (n) => tn("%(n)s submitted", "%(n)s submitted", n),
  timed_out: (n) => tn("%(n)s timed out", "%(n)s timed out", n),
  terminated: (n) => tn("%(n)s terminated", "%(n)s terminated", n),
};

function summaryText() {
  const counts = room.counts();
  const parts = [tn("%(n)s student", "%(n)s students", counts.students)];
  for (const [status, count] of Object.entries(STATUS_COUNTS)) {
    if (counts[status]) parts.push(count(counts[status]));
  }
  parts.push(tn("%(n)s online", "%(n)s online", counts.online));
  return parts.join(" · ");
}

/** "Showing 1–50 of 120." or, filtered, "Showing 1–3 of 3 matching (of 120 students).": what the table shows. */
function viewSummary(view, first, filtered) {
  const students = room.rows.size;
  if (!view.total) {
    return filtered ? tn("Showing none matching (of %(n)s student).", "Showing none matching (of %(n)s students).",
      students) : t("Showing none.");
  }
  const shown = { first, last: first + view.rows.length - 1, total: view.total };
  return filtered
    ? tn("Showing %(first)s–%(last)s of %(total)s matching (of %(n)s student).",
      "Showing %(first)s–%(last)s of %(total)s matching (of %(n)s students).", students, shown)
    : t("Showing %(first)s–%(last)s of %(total)s.", shown);
}

function render() {
  if (!room.exam) return;
  const view = room.view(filters);
  filters.page = view.page;
  const filtered = filters.search || filters.status || filters.presence || filters.withViolations;
  table.render(view.rows, room,
    filtered ? t("No student matches these filters.") : t("No students in this course yet."));
  tiles?.render(view.rows);
  const first = view.total ? (view.page - 1) * PAGE_SIZE + 1 : 0;
  const text = viewSummary(view, first, filtered);
  if (byId("view-summary").textContent !== text) byId("view-summary").textContent = text;
  const summary = summaryText();
  if (byId("room-summary").textContent !== summary) byId("room-summary").textContent = summary;
  byId("pager").hidden = view.pages < 2;
  byId("page-position").textContent = t("Page %(page)s of %(pages)s", { page: view.page, pages: view.pages });
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
  if (lost && !connectionLost) news.say(t("Connection to the room lost."));
  if (state === "live" && connectionLost) news.say(t("Reconnected: the room is up to date again."));
  if (lost || state === "live") connectionLost = lost;
  const seconds = retryAt ? Math.max(1, Math.round((retryAt - Date.now()) / 1000)) : 0;
  const words = {
    connecting: () => t("Connecting to the room…"),
    live: () => t("Live: changes appear as they happen."),
    retrying: () => tn("Connection lost. Trying again in %(n)s second; the table may be out of date until then.",
      "Connection lost. Trying again in %(n)s seconds; the table may be out of date until then.", seconds),
    offline: () => t("You are offline. The table may be out of date; the room reconnects when your connection "
      + "returns."),
    // `message`: the server's reason, as it wrote it.
    forbidden: () => (message
      ? t("The room refused this dashboard: %(reason)s Ask the exam's test maker to list your email address among "
        + "its proctors, then open the tool again from the course.", { reason: message })
      : t("The room refused this dashboard: you may not proctor this exam. Ask the exam's test maker to list your "
        + "email address among its proctors, then open the tool again from the course.")),
    expired: () => t("Your session has ended, so the room stopped updating. Open the tool again from your course."),
  }[state]?.();
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
    note.textContent = t("Only students who have opened the tool are listed: %(reason)s", { reason: error.message });
    note.hidden = false;
  }
}

try {
  const { me, exam } = await loadIdentity();
  const examId = examIdFromQuery() ?? exam?.id;
  if (!examId) {
    throw new Error(t("No exam is bound to this course link. The test maker can bind one, or open the live room "
      + "from the exam's pages."));
  }
  if (exam && exam.id === examId) byId("page-title").textContent = t("Live room: “%(title)s”", { title: exam.title });
  socket = new RoomSocket({
    examId,
    onState: showConnection,
    onMessage(message) {
      if (message.type === "snapshot") {
        if (message.kind !== "screen") tiles?.snapshot(message);  // a tile shows the camera
        queueRender();
      } else if (message.type === "roster") {
        room.load(message);
        byId("page-title").textContent = t("Live room: “%(title)s”", { title: message.exam.title });
        const heading = t("Live room: %(title)s", { title: message.exam.title });
        document.title = `${heading} · ${document.title.split(" · ").pop()}`;
      } else {
        room.apply(message);
      }
    },
  });
  const send = (message) => socket.send(message);
  controls = examControls({ examId, room, send, resync: resyncSoon });
  if (me.roles.includes("test_maker")) {
    fillNav(examId, "Live room"); // the page's English name (nav.js), whatever the language shown
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
  pageAlert.textContent = t("The live room could not open: %(reason)s", { reason: error.message });
  pageAlert.hidden = false;
}
