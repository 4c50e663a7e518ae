// The room as the dashboard knows it: a row per student, rebuilt from each `roster` message and kept up to
// date by `status`, `presence` and `event` messages; the server's clock; which rows a sort and filter show.
// No DOM here: the table and the panel read rows, and `onChange` says what changed.

// A page that has not been heard of for this long shows as offline, whatever it said last (DESIGN §5).
export const SILENT_MS = 90_000;
export const OPEN = new Set(["in_progress", "paused"]);
// "Status" sort: who needs attention first.
const STATUS_ORDER = ["paused", "in_progress", "not_started", "terminated", "timed_out", "submitted"];
export const PAGE_SIZE = 50;

function moment(iso) {
  const value = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(value) ? null : value;
}

function newRow(userId, name = null, email = null) {
  return {
    userId, name, email, attemptId: null, status: "not_started", deadline: null, frozenLeft: null,
    presence: "offline", heardAt: null, violations: {}, violationTotal: 0, lastEvent: null,
  };
}

function fromRoster(student) {
  const row = newRow(student.user_id, student.name, student.email);
  Object.assign(row, {
    attemptId: student.attempt_id, status: student.status, deadline: moment(student.deadline),
    frozenLeft: student.paused ? student.seconds_left * 1000 : null,
    presence: student.presence, heardAt: moment(student.last_seen_at),
    violations: { ...student.violations }, lastEvent: student.last_event,
  });
  row.violationTotal = Object.values(row.violations).reduce((sum, n) => sum + n, 0);
  return row;
}

export class Room {
  /**
   * onChange({ rows: [changed rows], news: [{ row?, event?, status?, presence? }], reloaded, exam }) after each
   * message; needsRoster() when a message says more than it carries (a student not in the roster, a new close).
   */
  constructor({ onChange, needsRoster }) {
    this.onChange = onChange;
    this.needsRoster = needsRoster;
    this.exam = null;
    this.rows = new Map();
    this.byAttempt = new Map();
    this.offset = 0;
    // Until the first roster of a connection, messages wait: the server may send one before the roster.
    this.waiting = [];
  }

  /** The server's time now, in epoch milliseconds. */
  now() {
    return Date.now() + this.offset;
  }

  /** A new connection: hold its live messages until its roster arrives (an earlier connection's are moot). */
  awaitRoster() {
    this.waiting = [];
  }

  load(roster) {
    this.offset = Date.parse(roster.now) - Date.now();
    this.exam = { ...roster.exam };
    this.rows = new Map(roster.students.map((s) => [s.user_id, fromRoster(s)]));
    this.byAttempt = new Map([...this.rows.values()].filter((r) => r.attemptId).map((r) => [r.attemptId, r]));
    const waiting = this.waiting ?? [];
    this.waiting = null;
    this.onChange({ rows: [...this.rows.values()], news: [], reloaded: true, exam: this.exam });
    for (const message of waiting) this.apply(message);
  }

  /** A live message from the socket (not the roster). */
  apply(message) {
    if (this.waiting) {
      this.waiting.push(message);
      return;
    }
    const change = { rows: [], news: [], reloaded: false, exam: null };
    if (message.type === "status") this.status(message, change);
    else if (message.type === "presence") this.presence(message, change);
    else if (message.type === "event") this.event(message.event, change);
    else return;
    this.onChange(change);
  }

  status(message, change) {
    let row = this.rows.get(message.user_id);
    if (!row) {
      row = newRow(message.user_id);
      this.rows.set(row.userId, row);
      this.needsRoster();
    }
    const before = row.status;
    if (row.attemptId !== message.attempt_id) {
      // A new attempt starts with a clean record.
      if (row.attemptId) this.byAttempt.delete(row.attemptId);
      Object.assign(row, { attemptId: message.attempt_id, presence: "offline", heardAt: null, violations: {},
        violationTotal: 0, lastEvent: null });
      this.byAttempt.set(row.attemptId, row);
    }
    row.status = message.status;
    row.deadline = moment(message.deadline);
    const pausedAt = moment(message.paused_at);
    row.frozenLeft = message.status === "paused" && pausedAt !== null ? Math.max(0, row.deadline - pausedAt) : null;
    change.rows.push(row);
    if (before !== row.status) change.news.push({ row, status: row.status, before });
  }

  /** The latest presence of the pages that changed since the last such message. */
  presence(message, change) {
    for (const page of message.pages) {
      const row = this.byAttempt.get(page.attempt_id);
      if (!row) continue;
      const before = this.presenceOf(row);
      row.presence = page.state;
      row.heardAt = moment(page.at) ?? this.now();
      change.rows.push(row);
      if (before !== row.presence && OPEN.has(row.status)) change.news.push({ row, presence: row.presence });
    }
  }

  event(event, change) {
    if (event.kind === "exam_closed") this.exam.closed = true;
    if (event.kind === "exam_extended") this.needsRoster();
    if (event.attempt_id === null || event.attempt_id === undefined) {
      change.exam = this.exam;
      change.news.push({ event });
      return;
    }
    const row = this.byAttempt.get(event.attempt_id);
    // Already counted: the roster of this connection was read after it.
    if (!row || (row.lastEvent && event.id <= row.lastEvent.id)) return;
    if (event.kind === "violation") {
      row.violations[event.detail] = (row.violations[event.detail] || 0) + 1;
      row.violationTotal += 1;
    }
    row.lastEvent = event;
    change.rows.push(row);
    change.news.push({ row, event });
  }

  /** online, away or offline, with silence for SILENT_MS counting as offline. */
  presenceOf(row) {
    if (row.presence !== "offline" && row.heardAt !== null && this.now() - row.heardAt > SILENT_MS) return "offline";
    return row.presence;
  }

  /** Milliseconds left on an open attempt (frozen while paused); null for none. */
  timeLeft(row) {
    if (!OPEN.has(row.status) || row.deadline === null) return null;
    if (row.frozenLeft !== null) return row.frozenLeft;
    return Math.max(0, row.deadline - this.now());
  }

  /** Counts for the summary line. */
  counts() {
    const counts = { students: this.rows.size, online: 0 };
    for (const row of this.rows.values()) {
      counts[row.status] = (counts[row.status] || 0) + 1;
      if (this.presenceOf(row) === "online") counts.online += 1;
    }
    counts.open = (counts.in_progress || 0) + (counts.paused || 0);
    return counts;
  }

  /** The rows a view shows, sorted: { rows (this page), total (matching), page, pages }. */
  view({ sort = "name", search = "", status = "", presence = "", withViolations = false, page = 1 } = {}) {
    const needle = search.trim().toLowerCase();
    const matching = [...this.rows.values()].filter((row) => (!status || row.status === status)
      && (!presence || this.presenceOf(row) === presence)
      && (!withViolations || row.violationTotal > 0)
      && (!needle || `${row.name || ""} ${row.email || ""}`.toLowerCase().includes(needle)));
    const byName = (a, b) => (a.name || "").localeCompare(b.name || "", undefined, { sensitivity: "base" })
      || a.userId - b.userId;
    const compare = {
      name: byName,
      violations: (a, b) => b.violationTotal - a.violationTotal || byName(a, b),
      time_left: (a, b) => {
        const left = [this.timeLeft(a), this.timeLeft(b)];
        if (left[0] === null || left[1] === null) return (left[0] === null) - (left[1] === null) || byName(a, b);
        return left[0] - left[1] || byName(a, b);
      },
      status: (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || byName(a, b),
    }[sort] || byName;
    matching.sort(compare);
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    return {
      rows: matching.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE), total: matching.length,
      page: current, pages,
    };
  }
}
