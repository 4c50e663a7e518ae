"""The fault suite's client process (gevent): simulated students and proctors against the real server on
loopback, each behaving as the exam page and the dashboard do, recording what the server acknowledged and
when, so the scenario can check its invariants afterwards.

- A student saves answers one at a time over one keep-alive HTTP connection (PUT with the launch token). A
  save that gets no answer or a 5xx stays queued and is retried with the page's backoff (1 s, 2 s, 4 s ...,
  +-20%); a stale keep-alive connection is retried once at once, as browsers do; a 409 (time is up, the
  attempt ended) makes the student look at the attempt, as the page shows it: paused, they wait for the
  proctor to resume it; over, they stop saving. Its page socket (/ws/student) says hello, heartbeats,
  reports violations and keeps each one until the server acknowledges it (resent after a reconnect),
  acknowledges each warning as the student's OK does, and reconnects with the page's backoff (0.5-1 s, 1-2 s,
  ...).
- With the plan's `saves_over_socket`, a student saves as the page does while its socket is connected: over the
  socket (a `save` with an id, answered `saved` or with an error frame of the same id and the HTTP status), and
  as the PUT above when the socket is not connected, closes or stays silent 10 s before the reply, or refuses
  the message for its rate (429).
- A dashboard (/ws/proctor) records every roster and every violation event as it arrives, and reconnects.
- A slow dashboard says hello from a socket with a tiny receive buffer and then never reads, until the plan
  says to look what happened to it.

    python -m faults.clients PLAN.json RESULT.json
"""

from gevent import monkey

monkey.patch_all()

import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402

from faults.socket_client import Closed, WebSocket  # noqa: E402

REQUEST_TIMEOUT = 20.0  # the exam page's
HANDSHAKE_TIMEOUT = 5.0
HELLO_TIMEOUT = 10.0
KINDS = ("tab_hidden", "window_blur", "copy", "paste", "fullscreen_exit", "context_menu")
SOCKET_REPLY_TIMEOUT = 10.0  # the page's, for a save over its socket
STALE = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)
FINAL_MESSAGES = ("ended", "terminate", "exam_closed")


def save_backoff(failures, rng):
    """The exam page's save queue: 1 s doubling to 30 s, +-20%."""
    return min(30.0, 2 ** min(failures - 1, 5)) * (0.8 + 0.4 * rng.random())


def socket_backoff(failures, rng):
    """The exam page's socket: a ceiling of 1 s doubling to 30 s, waiting between half of it and all of it."""
    ceiling = min(30.0, 2 ** failures)
    return ceiling / 2 + rng.random() * ceiling / 2


class Student:
    def __init__(self, plan, spec, stop_at):
        self.plan = plan
        self.spec = spec
        self.stop_at = stop_at
        self.rng = random.Random(1000 + spec["index"])
        self.saving_over = False  # a save was refused (time is up, the attempt ended): no more saves
        self.over = False  # the socket said the attempt is over
        # What the checks read.
        self.acked = {}  # question id -> last acknowledged choice
        self.saves_ok = 0
        self.save_log = []  # [time, latency, status or error name]
        self.failures = []  # {t, latency, status, kind, json}
        self.stale_retries = 0
        self.refusals = []  # [time, message]
        self.save_outages = []  # [first failure, next success]
        self.socket_outages = []  # [disconnected, hello again]
        self.close_codes = []
        self.hellos = []
        self.time_messages = []
        self.final_message = None  # [time, type]
        self.violations_sent = 0
        self.violations_acked = {}  # client id -> [ack time, event id]
        self.unacked = {}  # client id -> message
        self.errors = {}
        self.submit = None  # {"at", "ok_at", "failures"} when the plan has this student submit
        self.submit_at = None  # set once everyone is in, for the students the plan names
        self.ws = None  # the page's socket while it is open
        self.socket_ready = False  # its hello answered: saves may go over it
        self.save_replies = {}  # a socket save's id -> AsyncResult of the server's reply, while awaited
        self.saves_sent = 0
        self.socket_saves = 0  # saves acknowledged over the socket (the rest over HTTP)
        self.socket_fallbacks = []  # [time, seconds, why] of saves the socket could not carry (then sent as PUTs)
        self.seq = spec.get("seq", 0)  # counted on from the highest the server holds, as the page does
        self.resumed = gevent.event.Event()  # cleared while the proctor has the attempt paused
        self.resumed.set()
        self.pauses = []  # [time, "pause" or "resume"] as the socket told them
        self.warnings = {}  # warning id -> [received, acknowledged (sent) or None]

    # --- answers ------------------------------------------------------------------------------------
    def save_loop(self):
        every = self.plan.get("save_every", 2.0)
        gevent.sleep(self.rng.random() * every)
        conn = [None, 0]  # connection, requests answered on it
        while time.time() < self.stop_at and not self.over and not self.saving_over:
            if not self.resumed.is_set() and not self._wait_while_paused(conn):
                break
            if self.submit_at is not None and time.time() >= self.submit_at:
                self._submit(conn)
                break
            qid = self.rng.choice(list(self.spec["questions"]))
            options = self.spec["questions"][qid]
            chosen = sorted(self.rng.sample(options, self.rng.randint(1, 2) if self.spec["kinds"][qid] == "multi"
                                            else 1))
            self._save(conn, qid, chosen)
            gevent.sleep(every * (0.5 + self.rng.random()))
        if conn[0] is not None:
            conn[0].close()

    def _request(self, conn, method, path, body):
        """One request on the keep-alive connection: (status, parsed JSON or None, latency)."""
        headers = {"Authorization": f"Bearer {self.spec['token']}", "Content-Type": "application/json"}
        started = time.time()
        for fresh in (False, True):
            if conn[0] is None:
                conn[0], conn[1] = http.client.HTTPConnection(self.plan["host"], self.plan["port"],
                                                              timeout=REQUEST_TIMEOUT), 0
            try:
                conn[0].request(method, path, body=None if body is None else json.dumps(body), headers=headers)
                response = conn[0].getresponse()
                raw = response.read()
                conn[1] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn[0].close()
                    conn[0] = None
                try:
                    data = json.loads(raw) if raw else None
                except ValueError:
                    data = None
                return response.status, data, time.time() - started
            except STALE:
                conn[0].close()
                conn[0] = None
                if fresh or conn[1] == 0:
                    raise
                self.stale_retries += 1  # a reused connection the server had closed: a browser resends at once
            except BaseException:
                if conn[0] is not None:
                    conn[0].close()
                    conn[0] = None
                raise
        raise AssertionError("unreachable")

    def _until_answered(self, conn, method, path, body):
        """Send until the server answers with something other than a 5xx (or the run ends); returns
        (status, data), or None if the run ended first."""
        failures = 0
        broken_at = None
        while time.time() < self.stop_at + 30:
            now = time.time()
            try:
                status, data, latency = self._request(conn, method, path, body)
                kind = None if status < 500 else "http"
            except Exception as exc:  # noqa: BLE001  (a network failure: retried, and counted)
                status, data, latency, kind = None, None, time.time() - now, type(exc).__name__
            if method != "GET":  # the log is of saves and submits; a look at the attempt is not one
                self.save_log.append([round(now, 3), round(latency, 4), status or kind])
            if kind is None:
                if broken_at is not None:
                    self.save_outages.append([broken_at, time.time()])
                return status, data
            failures += 1
            broken_at = broken_at or now
            self.failures.append({"t": now, "latency": latency, "status": status, "kind": kind,
                                  "json": isinstance(data, dict) and isinstance(data.get("error"), dict)
                                  and bool(data["error"].get("code")),
                                  "code": (data.get("error") or {}).get("code") if isinstance(data, dict) else None})
            gevent.sleep(save_backoff(failures, self.rng))
        return None

    def _save(self, conn, qid, chosen):
        self.seq += 1  # the page's order number for its saves; a resend keeps it
        body = {"option_ids": chosen, "seq": self.seq}
        answered = self._over_socket(qid, body) if self.plan.get("saves_over_socket") else None
        if answered is None:
            answered = self._until_answered(conn, "PUT", f"/api/attempts/{self.spec['attempt']}/answers/{qid}", body)
        if answered is None:
            return
        status, data = answered
        if status == 200:
            self.acked[qid] = chosen
            self.saves_ok += 1
        elif status == 409:
            self.refusals.append([time.time(), (data or {}).get("error", {}).get("message")])
            standing = self._standing(conn)
            if standing == "paused":
                self.resumed.clear()
            elif standing != "taking":
                self.saving_over = True
        else:
            self.errors[f"save HTTP {status}"] = self.errors.get(f"save HTTP {status}", 0) + 1

    def _over_socket(self, qid, body):
        """The save sent over the page's socket: (status, data) as the PUT would answer, or None where the socket
        could not carry it (the caller sends the PUT)."""
        ws = self.ws
        if ws is None or not self.socket_ready:
            return None
        self.saves_sent += 1
        save_id = f"save-{self.saves_sent}"
        reply = self.save_replies[save_id] = gevent.event.AsyncResult()
        started = time.time()
        try:
            ws.send({"type": "save", "id": save_id, "question_id": int(qid), **body})
            message = reply.get(timeout=SOCKET_REPLY_TIMEOUT)
        except (Closed, OSError, gevent.Timeout):
            message = None
        finally:
            self.save_replies.pop(save_id, None)
        status = None if message is None else 200 if message["type"] == "saved" else message.get("status")
        if status is None or status == 429 or status >= 500:
            self.socket_fallbacks.append([round(started, 3), round(time.time() - started, 4), status or "lost"])
            return None
        self.save_log.append([round(started, 3), round(time.time() - started, 4), status])
        if status == 200:
            self.socket_saves += 1
        return status, {"error": {"message": message.get("message")}} if status != 200 else message

    def _lose_socket_saves(self):
        self.socket_ready = False
        for reply in self.save_replies.values():
            reply.set({"type": "lost"})

    def _standing(self, conn):
        """What the page shows after a refused save: "taking" (time left), "paused", or "over"."""
        answered = self._until_answered(conn, "GET", f"/api/attempts/{self.spec['attempt']}", None)
        if answered is None or answered[0] != 200:
            return "over"
        state = answered[1]
        if state["status"] == "paused":
            return "paused"
        return "taking" if state["status"] == "in_progress" and state["seconds_left"] > 0 else "over"

    def _wait_while_paused(self, conn):
        """The pause overlay: no clicks until the socket says resume (or the attempt, asked every 5 s, is no
        longer paused). False when the attempt is over instead."""
        while time.time() < self.stop_at and not self.over:
            if self.resumed.wait(timeout=5):
                return True
            standing = self._standing(conn)
            if standing != "paused":
                self.resumed.set()
                return standing == "taking"
        return False

    def _submit(self, conn):
        self.submit = {"at": time.time(), "ok_at": None, "status": None, "failures": len(self.failures)}
        answered = self._until_answered(conn, "POST", f"/api/attempts/{self.spec['attempt']}/submit", {})
        self.submit["failures"] = len(self.failures) - self.submit["failures"]
        if answered is not None:
            status, data = answered
            self.submit["status"] = (data or {}).get("status") if status == 200 else f"HTTP {status}"
            if status == 200:
                self.submit["ok_at"] = time.time()
        self.saving_over = True

    # --- the page's socket --------------------------------------------------------------------------
    def socket_loop(self):
        heartbeat_every = self.plan.get("heartbeat_every", 5.0)
        violation_every = self.plan.get("violation_every")
        next_violation = time.time() + self.rng.random() * (violation_every or 1)
        failures = 0
        lost_at = None
        sequence = 0
        while time.time() < self.stop_at and not self.over:
            ws = None
            try:
                ws = self.ws = WebSocket(self.plan["host"], self.plan["port"], "/ws/student",
                                         timeout=HANDSHAKE_TIMEOUT)
                ws.send({"type": "hello", "token": self.spec["token"], "attempt_id": self.spec["attempt"]})
                _expect(ws, "hello", HELLO_TIMEOUT, self._on_message)
                self.hellos.append(time.time())
                self.socket_ready = True
                if lost_at is not None:
                    self.socket_outages.append([lost_at, time.time()])
                    lost_at = None
                failures = 0
                for message in list(self.unacked.values()):
                    ws.send(message)
                next_heartbeat = time.time()
                while time.time() < self.stop_at and not self.over:
                    now = time.time()
                    if now >= next_heartbeat:
                        ws.send({"type": "heartbeat", "client_time": now * 1000, "visible": True})
                        next_heartbeat = now + heartbeat_every
                    if violation_every and now >= next_violation and not self.saving_over:
                        sequence += 1
                        message = {"type": "violation", "kind": KINDS[sequence % len(KINDS)],
                                   "client_time": time.time() * 1000, "id": f"s{self.spec['index']}-v{sequence}"}
                        if self.plan.get("violation_detail"):
                            message["detail"] = self.plan["violation_detail"]
                        self.unacked[message["id"]] = message
                        self.violations_sent += 1
                        ws.send(message)
                        next_violation = now + violation_every * (0.8 + 0.4 * self.rng.random())
                    wake = min(next_heartbeat, next_violation if violation_every else next_heartbeat, self.stop_at)
                    message = ws.receive(timeout=max(0.01, wake - time.time()))
                    if message is not None:
                        self._on_message(message)
                self._lose_socket_saves()
                ws.close()
                return
            except (Closed, OSError, gevent.Timeout) as exc:
                self._lose_socket_saves()
                self.ws = None
                self.close_codes.append([time.time(), getattr(exc, "code", None) or type(exc).__name__])
                if ws is not None:
                    ws.abort()
                if getattr(exc, "code", None) == 4403:
                    return
                lost_at = lost_at or time.time()
                failures += 1
                gevent.sleep(socket_backoff(failures - 1, self.rng))

    def _on_message(self, message):
        kind = message.get("type")
        now = time.time()
        if kind in ("saved", "error") and message.get("id") in self.save_replies:
            self.save_replies[message["id"]].set(message)
        elif kind == "ack" and message.get("id"):
            self.violations_acked[message["id"]] = [now, message.get("event_id")]
            self.unacked.pop(message["id"], None)
        elif kind == "time":
            self.time_messages.append(round(now, 3))
        elif kind in ("pause", "resume"):
            self.pauses.append([now, kind])
            (self.resumed.clear if kind == "pause" else self.resumed.set)()
        elif kind == "warn":
            self._acknowledge(message["warning_id"], now)
        elif kind in FINAL_MESSAGES:
            if self.final_message is None:
                self.final_message = [now, kind]
            self.over = True
        elif kind == "error":
            code = f"socket error {message.get('code')}"
            self.errors[code] = self.errors.get(code, 0) + 1

    def _acknowledge(self, warning_id, now):
        """The student reads the warning and presses OK (a resent warning is acknowledged again)."""
        received = self.warnings.setdefault(str(warning_id), [now, None])
        if self.ws is None:
            return  # the server sends it again once the page is back
        try:
            self.ws.send({"type": "warn_ack", "warning_id": warning_id})
            received[1] = received[1] or time.time()
        except Closed:
            pass  # the server resends it after the reconnect

    def result(self):
        hidden = ("plan", "spec", "rng", "stop_at", "unacked", "ws", "resumed", "save_replies")
        return {k: v for k, v in vars(self).items() if k not in hidden} | {
            "index": self.spec["index"], "attempt": self.spec["attempt"],
            "unacked": {i: m["client_time"] / 1000 for i, m in self.unacked.items()}}


def _expect(ws, kind, timeout, on_other):
    """Wait for a message of type `kind`, handing the others to `on_other`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        message = ws.receive(timeout=max(0.01, deadline - time.time()))
        if message is None:
            continue
        if message.get("type") == kind:
            return message
        on_other(message)
    raise Closed(1006, f"no {kind} within {timeout}s")


class Dashboard:
    def __init__(self, plan, index, stop_at):
        self.plan = plan
        self.index = index
        self.stop_at = stop_at
        self.rng = random.Random(5000 + index)
        self.token = plan.get("maker_token")
        self.ws = None  # the dashboard's socket while it is open
        self.rosters = []  # [time, {attempt id: violations}, {status: count}]
        self.violations = []  # [received, attempt id, event id, client time (epoch s)]
        self.outages = []
        self.close_codes = []
        self.hellos = []
        self.messages = 0

    def loop(self):
        failures = 0
        lost_at = None
        while time.time() < self.stop_at:
            ws = None
            try:
                ws = WebSocket(self.plan["host"], self.plan["port"], "/ws/proctor", timeout=HANDSHAKE_TIMEOUT)
                ws.send({"type": "hello", "token": self.token, "exam_id": self.plan["exam_id"]})
                _expect(ws, "hello", HELLO_TIMEOUT, self._on_message)
                self.ws = ws
                self.hellos.append(time.time())
                self.socket_ready = True
                if lost_at is not None:
                    self.outages.append([lost_at, time.time()])
                    lost_at = None
                failures = 0
                while time.time() < self.stop_at:
                    message = ws.receive(timeout=max(0.01, min(1.0, self.stop_at - time.time())))
                    if message is not None:
                        self._on_message(message)
                ws.close()
                return
            except (Closed, OSError) as exc:
                self.ws = None
                self.close_codes.append([time.time(), getattr(exc, "code", None) or type(exc).__name__])
                if ws is not None:
                    ws.abort()
                lost_at = lost_at or time.time()
                failures += 1
                gevent.sleep(socket_backoff(failures - 1, self.rng))

    def _on_message(self, message):
        now = time.time()
        self.messages += 1
        kind = message.get("type")
        if kind == "roster":
            counts, statuses = {}, {}
            for row in message["students"]:
                statuses[row["status"]] = statuses.get(row["status"], 0) + 1
                if row["attempt_id"] is not None:
                    counts[str(row["attempt_id"])] = sum(row["violations"].values())
            self.rosters.append([now, counts, statuses])
        elif kind == "event" and message["event"]["kind"] == "violation":
            event = message["event"]
            sent = datetime.fromisoformat(event["client_time"]).timestamp() if event.get("client_time") else None
            self.violations.append([now, event["attempt_id"], event["id"], sent])

    def result(self):
        return {k: v for k, v in vars(self).items() if k not in ("plan", "rng", "stop_at", "token", "ws")}


class SlowDashboard:
    """Says hello, then never reads (its receive buffer is tiny), until told to drain (or `drain_by`): then it
    reads what is left and records how the server ended it."""

    def __init__(self, plan, index, connect_at, drain_by):
        self.plan = plan
        self.index = index
        self.connect_at = connect_at
        self.drain_by = drain_by
        self.drain = gevent.event.Event()
        self.connected_at = None
        self.error = None
        self.drained = None

    def run(self):
        gevent.sleep(max(0.0, self.connect_at - time.time()))
        try:
            ws = WebSocket(self.plan["host"], self.plan["port"], "/ws/proctor", timeout=HANDSHAKE_TIMEOUT,
                           receive_buffer=self.plan.get("slow_receive_buffer", 2048))
            ws.send({"type": "hello", "token": self.plan["maker_token"], "exam_id": self.plan["exam_id"]})
            self.connected_at = time.time()
        except (Closed, OSError) as exc:
            self.error = repr(exc)
            return
        self.drain.wait(timeout=max(0.0, self.drain_by - time.time()))
        started, messages, code = time.time(), 0, "still open"
        try:
            while time.time() - started < 15 and ws.receive(timeout=2) is not None:
                messages += 1
        except Closed as closed:
            code = closed.code
        ws.abort()
        self.drained = {"messages": messages, "bytes": ws.bytes_received, "ended": code,
                        "seconds": time.time() - started}

    def result(self):
        return {"index": self.index, "connected_at": self.connected_at, "error": self.error, "drained": self.drained}


def _drain_when_told(plan, slow, clients, drained):
    """When the scenario writes the drain file: the slow dashboards read what is left, and everyone else goes
    on for `after_drain` seconds more."""
    drain_file = Path(plan["drain_file"])
    while not drain_file.exists() and time.time() < min(c.stop_at for c in clients):
        gevent.sleep(0.2)
    drained["at"] = time.time()
    for dashboard in slow:
        dashboard.drain.set()
    for client in clients:
        client.stop_at = min(client.stop_at, drained["at"] + plan["after_drain"])


def main(plan_path, result_path):
    plan = json.loads(Path(plan_path).read_text())
    hard_stop = plan["until"]
    students = [Student(plan, spec, hard_stop) for spec in plan["students"]]
    dashboards = [Dashboard(plan, i, hard_stop) for i in range(plan.get("dashboards", 0))]
    watching = [gevent.spawn(d.loop) for d in dashboards]
    gevent.sleep(0.5)
    taking = []
    for student in students:
        if plan.get("saves", True):
            taking.append(gevent.spawn(student.save_loop))
        if plan.get("sockets", True):
            taking.append(gevent.spawn(student.socket_loop))
    # Ready once every socket has said hello (bounded); the run lasts `run_for` seconds from then.
    ready_by = time.time() + 30
    while time.time() < ready_by and plan.get("sockets", True) and not all(s.hellos for s in students):
        gevent.sleep(0.1)
    ready_at = time.time()
    stop_at = min(hard_stop, ready_at + plan["run_for"]) if plan.get("run_for") else hard_stop
    for client in students + dashboards:
        client.stop_at = stop_at
    slow = [SlowDashboard(plan, i, ready_at + plan["slow_after"], stop_at)
            for i in range(plan.get("slow_dashboards", 0))]
    others = [gevent.spawn(s.run) for s in slow]
    drained = {}
    if slow:
        others.append(gevent.spawn(_drain_when_told, plan, slow, students + dashboards, drained))
    if plan.get("submit_after") is not None:
        for index in plan.get("submitters", []):
            students[index].submit_at = ready_at + plan["submit_after"]
    Path(plan["ready_file"]).write_text(json.dumps({"at": ready_at, "stop_at": stop_at,
                                                    "connected": sum(bool(s.hellos) for s in students)}))
    gevent.joinall(taking, timeout=max(0.0, stop_at - time.time()) + 60)
    # Every attempt is over (or the run is): the dashboards watch a moment longer, then stop too.
    for dashboard in dashboards:
        dashboard.stop_at = min(dashboard.stop_at, time.time() + plan.get("dashboards_linger", 3.0))
    gevent.joinall(watching + others, timeout=max(0.0, stop_at - time.time()) + 30)
    gevent.killall([g for g in taking + watching + others if not g.dead], block=True, timeout=5)
    result = {"students": [s.result() for s in students], "dashboards": [d.result() for d in dashboards],
              "slow": [s.result() for s in slow], "ready_at": ready_at, "drain_at": drained.get("at"),
              "ended_at": time.time()}
    Path(result_path).write_text(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:3])
