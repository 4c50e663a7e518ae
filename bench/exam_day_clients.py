"""The exam day's client process (gevent): students who launch from the test platform at their planned
moment and then take the exam as the page does, and proctors who launch, watch their dashboards and act.

- A student plays the whole arrival: the LTI launch (bench/lti_browser.py), the lobby's GET
  /api/exams/current, the start of the attempt; a launch that fails is tried again (twice, 2 s apart), as a
  student clicks the link again. Then faults/clients.Student takes the exam: a save every few seconds,
  heartbeats, occasional violations, warnings acknowledged, saves held while paused, until the exam ends.
- A proctor is faults/clients.Dashboard with its own launch token, plus the acts its plan gives it: warn a
  student whose violations it saw, pause one and resume it 10 s later, give a student a minute more, force
  close one, write notes. Each act is timed from the frame sent to the server's ack.

    python bench/exam_day_clients.py PLAN.json RESULT.json
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gevent  # noqa: E402
import gevent.event  # noqa: E402

from bench.lti_browser import Browser, LaunchFailed  # noqa: E402
from faults.clients import Dashboard, Student  # noqa: E402
from faults.socket_client import Closed  # noqa: E402
from tests.lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT, SigningKey, TestPlatform  # noqa: E402

LAUNCH_TRIES = 3
ROLES = {"test_maker": [INSTRUCTOR], "proctor": [TEACHING_ASSISTANT]}
PAUSE_SECONDS = 10.0
ACT_TRIES = 3
ACK_TIMEOUT = 30.0  # a proctor who sees nothing happen for this long clicks again


def signing_platform(plan):
    key = SigningKey(plan["kid"], plan["private_pem"].encode())
    return TestPlatform(key, base_url=plan["issuer"])


class Arrival:
    """One student from the click on the course link to the first question, then the exam."""

    def __init__(self, plan, spec, platform):
        self.plan, self.spec, self.platform = plan, spec, platform
        self.launch = {"sub": spec["sub"], "planned": spec["launch_at"], "started": None, "launched": None,
                       "ready": None, "lti_seconds": None, "errors": []}
        self.student = None

    def run(self):
        gevent.sleep(max(0.0, self.spec["launch_at"] - time.time()))
        state = self._arrive()
        if state is None:
            return
        questions = {str(q["id"]): [o["id"] for o in q["options"]] for q in state["questions"]}
        kinds = {str(q["id"]): q["type"] for q in state["questions"]}
        self.student = Student(self.plan, {"index": self.spec["index"], "attempt": state["id"], "seq": state["seq"],
                                           "token": self.token, "questions": questions, "kinds": kinds},
                               self.plan["until"])
        gevent.joinall([gevent.spawn(self.student.save_loop), gevent.spawn(self.student.socket_loop)])

    def _arrive(self):
        """Launch, find the exam, start the attempt: its state, or None after LAUNCH_TRIES failures."""
        self.launch["started"] = time.time()
        for tries in range(1, LAUNCH_TRIES + 1):
            browser = Browser(self.plan["host"], self.plan["port"], self.platform)
            try:
                self.token = browser.launch(sub=self.spec["sub"], roles=[LEARNER], link_id=self.plan["link_id"],
                                            context_id=self.plan["context_id"], name=f"Student {self.spec['index']}")
                self.launch["launched"] = time.time()
                self.launch["lti_seconds"] = browser.timings["total"]
                status, current = browser.api("GET", "/api/exams/current")
                if status != 200 or not (current or {}).get("exam"):
                    raise LaunchFailed("lobby", status, json.dumps(current)[:200])
                status, state = browser.api("POST", f"/api/exams/{current['exam']['id']}/attempts")
                if status != 200:
                    raise LaunchFailed("start", status, json.dumps(state)[:200])
                self.launch["ready"] = time.time()
                return state
            except (LaunchFailed, OSError) as exc:
                self.launch["errors"].append([time.time(), getattr(exc, "step", "network"),
                                              getattr(exc, "status", type(exc).__name__)])
                if tries < LAUNCH_TRIES:
                    gevent.sleep(2.0)
            finally:
                browser.close()
        return None

    def result(self):
        return {"launch": self.launch, "student": self.student and self.student.result()}


class Proctor(Dashboard):
    """A dashboard with a person behind it: launches, watches, and acts as its plan says."""

    def __init__(self, plan, spec, platform, taken):
        """`taken`: the attempts some proctor has acted on, shared, so each act has a student of its own."""
        super().__init__(plan, spec["index"], plan["until"])
        self.spec, self.platform, self.taken = spec, platform, taken
        self.acts = []  # {action, attempt_id, sent, acked, error}
        self._waiting = {}  # (action, attempt id) -> the act awaiting its ack

    def run(self):
        browser = Browser(self.plan["host"], self.plan["port"], self.platform)
        try:
            self.token = browser.launch(sub=self.spec["sub"], roles=ROLES[self.spec["role"]],
                                        link_id=self.plan["link_id"], context_id=self.plan["context_id"],
                                        name=f"Proctor {self.index}")
        finally:
            browser.close()
        watching = gevent.spawn(self.loop)
        acting = gevent.spawn(self.act)
        gevent.joinall([watching, acting])

    def act(self):
        """Once the students are in, one act every `act_every` seconds until shortly before the close."""
        plan = self.plan
        gevent.sleep(max(0.0, plan["acts_from"] - time.time()))
        acts = list(self.spec["acts"])
        while acts and time.time() < plan["acts_until"]:
            target = self._pick_target()
            if target is not None:
                self._do(acts.pop(0), target)
            gevent.sleep(plan["act_every"] * (0.5 + self.rng.random()))

    def _pick_target(self):
        """The latest student whose violation this dashboard saw and no proctor has acted on yet."""
        for _, attempt_id, _, _ in reversed(self.violations):
            if attempt_id not in self.taken:
                self.taken.add(attempt_id)
                return attempt_id
        return None

    def _do(self, action, attempt_id):
        if action == "warn":
            self._send({"type": "warn", "attempt_id": attempt_id, "text": "Please keep this tab in front."})
        elif action == "pause":
            self._send({"type": "pause", "attempt_id": attempt_id, "reason": "Checking the room."})
            gevent.sleep(PAUSE_SECONDS)
            self._send({"type": "resume", "attempt_id": attempt_id})
        elif action == "extend":
            self._send({"type": "extend", "attempt_id": attempt_id, "minutes": 1})
        elif action == "terminate":
            self._send({"type": "terminate", "attempt_id": attempt_id, "reason": "Phone on the desk."})
        elif action == "note":
            self._send({"type": "note", "attempt_id": attempt_id, "text": "Looked away often."})
        else:
            raise ValueError(f"unknown act {action!r}")

    def _send(self, message):
        """Send on the dashboard's socket and wait for the server's ack. As a proctor clicks again when the
        dashboard lost its connection or nothing happened, it is sent again (up to ACT_TRIES times)."""
        act = {"action": message["type"], "attempt_id": message["attempt_id"], "sent": None, "acked": None,
               "tries": 0, "error": None}
        self.acts.append(act)
        acked = gevent.event.Event()
        self._waiting[(act["action"], act["attempt_id"])] = (act, acked)
        while act["tries"] < ACT_TRIES:
            ws = self._open_socket(give_up=time.time() + 20)
            if ws is None:
                break
            act["tries"] += 1
            act["sent"] = act["sent"] or time.time()
            try:
                ws.send(message)
            except Closed:
                continue
            if acked.wait(ACK_TIMEOUT):
                return
        act["error"] = "no ack"

    def _open_socket(self, give_up):
        """The dashboard's socket once it is open (it reconnects by itself), or None by `give_up`."""
        while time.time() < give_up:
            if self.ws is not None:
                return self.ws
            gevent.sleep(0.2)
        return None

    def _on_message(self, message):
        kind = message.get("type")
        if kind == "ack" and "attempt_id" in message:
            waiting = self._waiting.pop((message["action"], message["attempt_id"]), None)
            if waiting is not None:
                waiting[0]["acked"] = time.time()
                waiting[1].set()
        elif kind == "error":
            self.acts.append({"action": "error", "attempt_id": None, "sent": None, "acked": None,
                              "error": f"{message.get('code')}: {message.get('message')}"})
        super()._on_message(message)

    def result(self):
        mine = ("spec", "platform", "taken", "_waiting")
        return {k: v for k, v in super().result().items() if k not in mine}


def main(plan_path, result_path):
    plan = json.loads(Path(plan_path).read_text())
    platform = signing_platform(plan)
    taken = set()
    proctors = [Proctor(plan, spec, platform, taken) for spec in plan["proctors"]]
    arrivals = [Arrival(plan, spec, platform) for spec in plan["students"]]
    running = [gevent.spawn(p.run) for p in proctors] + [gevent.spawn(a.run) for a in arrivals]
    students_done = gevent.joinall(running[len(proctors):], timeout=max(0.0, plan["until"] - time.time()) + 60)
    # The dashboards watch until every attempt of the day is over (the students of the other client
    # processes too): the scenario says so with the done file.
    while proctors and not Path(plan["done_file"]).exists() and time.time() < plan["until"]:
        gevent.sleep(0.5)
    for proctor in proctors:
        proctor.stop_at = min(proctor.stop_at, time.time() + plan.get("dashboards_linger", 3.0))
    gevent.joinall(running[:len(proctors)], timeout=max(0.0, plan["until"] - time.time()) + 30)
    unfinished = [g for g in running if not g.dead]
    gevent.killall(unfinished, block=True, timeout=5)
    Path(result_path).write_text(json.dumps({
        "arrivals": [a.result() for a in arrivals], "proctors": [p.result() for p in proctors],
        "unfinished": len(unfinished), "students_done": len(students_done)}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
