// The room's table: only the rows of the page on view are in the DOM. Rows are kept by student and their
// cells rewritten only when their text changes, so a render every second moves nothing a keyboard user is on.
import { el } from "../authoring/dom.js";
import { statusText } from "../authoring/format.js";
import { t, tn } from "../i18n.js";
import { clockText, eventText, PRESENCE, timeOfDay, violationWords } from "./wording.js";

const COLUMNS = [t("Student"), t("Presence"), t("Status"), t("Time left"), t("Violations"), t("Last event")];
// The stylesheet's names for the columns: their labels are in the reader's language.
const COLUMN_CLASSES = ["student", "presence", "status", "time-left", "violations", "last-event"];

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setClass(node, name) {
  if (node.className !== name) node.className = name;
}

function newRow(row, onOpen) {
  const open = el("button", { type: "button", class: "link student-name", dir: "auto", "aria-haspopup": "dialog",
    onclick: () => onOpen(row.userId) });
  const cells = {
    open,
    email: el("span", { class: "meta email", dir: "ltr", translate: "no" }),
    presenceDot: el("span", { class: "dot", "aria-hidden": "true" }),
    presence: el("span"),
    status: el("span"),
    timeLeft: el("span"),
    violations: el("span", { class: "violations" }),
    eventTime: el("time"),
    eventText: el("span"),
  };
  // One wrapper per cell, so a narrow frame can lay each cell out as "label | content".
  const cell = (index, ...children) => el("td", {
    role: "cell", "data-label": COLUMNS[index], class: `column-${COLUMN_CLASSES[index]}`,
  },
    el("span", { class: "cell" }, ...children));
  const tr = el("tr", { role: "row" },
    el("th", { scope: "row", role: "rowheader", "data-label": COLUMNS[0] }, open, cells.email),
    cell(1, cells.presenceDot, cells.presence),
    cell(2, cells.status),
    cell(3, cells.timeLeft),
    cell(4, cells.violations),
    cell(5, cells.eventTime, " ", cells.eventText));
  return { tr, cells, violationsKey: null };
}

function fill(entry, row, room) {
  const { cells } = entry;
  setText(cells.open, row.name || t("(name not known yet)"));
  setText(cells.email, row.email || "");
  const presence = room.presenceOf(row);
  setClass(cells.presenceDot, `dot presence-${presence}`);
  setText(cells.presence, PRESENCE[presence] || presence);
  setClass(cells.status, `badge status-${row.status}`);
  setText(cells.status, statusText(row.status));
  const left = room.timeLeft(row);
  setText(cells.timeLeft, left === null ? "—"
    : row.status === "paused" ? t("Paused, %(time)s", { time: clockText(left) }) : clockText(left));
  const key = JSON.stringify(row.violations);
  if (entry.violationsKey !== key) {
    entry.violationsKey = key;
    cells.violations.replaceChildren(...violationChips(row));
  }
  const event = row.lastEvent;
  setText(cells.eventTime, event ? timeOfDay(event.at) : "");
  if (event) cells.eventTime.setAttribute("datetime", event.at);
  setText(cells.eventText, event ? eventText(event, 40) : "—");
}

/** "3" and a chip per violation type in words ("Left the window ×3"), read out as "Left the window: 3 times". */
export function violationChips(row) {
  if (!row.violationTotal) return [el("span", { class: "none" }, t("None"))];
  const kinds = Object.entries(row.violations).sort((a, b) => b[1] - a[1]);
  return [el("strong", { class: "total" }, String(row.violationTotal)),
    ...kinds.map(([kind, count]) => {
      const words = violationWords(kind);
      const spoken = count === 1 ? t("%(kind)s: once", { kind: words })
        : tn("%(kind)s: %(n)s time", "%(kind)s: %(n)s times", count, { kind: words });
      return el("span", { class: "chip" },
        el("span", { "aria-hidden": "true" }, `${words} ×${count}`),
        el("span", { class: "visually-hidden" }, `, ${spoken}`));
    })];
}

export function roomTable(table, { onOpen }) {
  const body = table.tBodies[0];
  const kept = new Map();
  const empty = el("tr", { role: "row" }, el("td", { role: "cell", colspan: COLUMNS.length, class: "empty" }));

  return {
    /** Show `rows` (one page, in order); `emptyText` when there are none. */
    render(rows, room, emptyText) {
      const shown = new Set(rows.map((r) => r.userId));
      for (const userId of kept.keys()) if (!shown.has(userId)) kept.delete(userId);
      const order = rows.map((row) => {
        let entry = kept.get(row.userId);
        if (!entry) {
          entry = newRow(row, onOpen);
          kept.set(row.userId, entry);
        }
        fill(entry, row, room);
        return entry.tr;
      });
      if (!rows.length) {
        setText(empty.firstChild, emptyText);
        order.push(empty);
      }
      const current = [...body.children];
      if (current.length === order.length && current.every((tr, i) => tr === order[i])) return;
      const focused = body.contains(document.activeElement) ? document.activeElement : null;
      body.replaceChildren(...order);
      if (focused && body.contains(focused)) focused.focus({ preventScroll: true });
    },
  };
}
