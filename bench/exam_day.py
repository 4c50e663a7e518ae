"""An exam day under load: 2,000 students arrive within one minute through real LTI 1.3 launches from the test
platform (tests/lti_platform.py: OIDC login at the tool, signed id_token, launch POST with the state cookie),
start their attempts, open their page sockets, save an answer every few seconds, heartbeat and now and then
report a violation; 4 proctors (the test maker and three assigned TAs, each launched the same way) watch
their dashboards and act: warn, pause and resume, a minute more, force close, notes. The exam closes at
its set time; the sweeper ends every attempt and the grade sender posts every grade to the platform's AGS
endpoint.

The tool runs as deployed: gunicorn + gevent (configs/gunicorn.conf.py, wsgi:app) with 2 workers, a fresh
PostgreSQL database on the machine's server (dropped at the end), its own redis-server for the bus. The
people are bench/exam_day_clients.py in their own processes (gevent). Loopback only; every process it
starts is stopped by its PID; the whole run stops by itself after --budget seconds.

It reports launches/s, launch latency, answer-save p50/p99, violation -> dashboard p50/p99, proctor acts
and errors, and checks the day's invariants from the database and the platform's gradebook:
- every answer the tool acknowledged is in the database, as acknowledged;
- every violation the tool acknowledged is on record;
- every attempt is final, with one outbox row, its audit rows and a score;
- every grade reached the platform's AGS endpoint exactly once, with the attempt's score;
- every warning a proctor gave reached the student's page and its acknowledgement is on record.
Exit status 0 when every invariant holds. Rerun (about 6 minutes at full size):

    .venv/bin/python bench/exam_day.py
    .venv/bin/python bench/exam_day.py --students 200 --launch-window 20 --exam-seconds 40   # a quick look
"""

import argparse
import json
import logging
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402  (puts the project root on sys.path)
import sqlalchemy as sa  # noqa: E402
from lti_browser import Browser  # noqa: E402

from faults import invariants  # noqa: E402
from faults.processes import cpu_seconds, die_with_parent, stop_process  # noqa: E402
from faults.redis_server import RedisServer  # noqa: E402
from faults.report import percentile  # noqa: E402
from faults.tool_server import ToolServer  # noqa: E402
from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, TEACHING_ASSISTANT, TestPlatform  # noqa: E402

BENCH = Path(__file__).resolve().parent
CONTEXT_ID, LINK_ID = "exam-day-course", "exam-day-link"
QUESTIONS = 20
PROCTOR_ACTS = [  # the test maker and three TAs, and what each of them does during the exam
    ("test_maker", ["warn", "warn", "note", "warn"]),
    ("proctor", ["pause", "note", "pause"]),
    ("proctor", ["warn", "extend", "warn", "extend"]),
    ("proctor", ["note", "terminate", "warn", "terminate"]),
]
LEAD_SECONDS = 10.0  # the exam is authored and the client processes are up (proctors in) before the first launch


def main():
    args = parse_args()
    scenario.install_guards(args.budget)
    scenario.raise_open_files_limit()
    workdir = Path(tempfile.mkdtemp(prefix="exam-day-"))
    print(f"[exam-day] {args.students} students in {args.launch_window:.0f} s, exam closes "
          f"{args.exam_seconds:.0f} s after; {args.workers} workers; logs in {workdir}", flush=True)
    print(f"[exam-day] machine: {scenario.machine()}", flush=True)
    with scenario.fresh_postgres() as database_url:
        scenario.migrate(database_url)
        logging.getLogger().setLevel(logging.WARNING)  # Alembic's config turned every logger up to INFO
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test platform's request lines
        outcome = run_day(args, database_url, workdir)
    print_report(outcome)
    if args.json:
        Path(args.json).write_text(json.dumps(outcome, indent=1, default=str))
    return 0 if all(ok for _, ok, _ in outcome["invariants"]) else 1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, default=2000)
    p.add_argument("--launch-window", type=float, default=60.0, help="s over which the students arrive")
    p.add_argument("--exam-seconds", type=float, default=120.0, help="s from the last arrival to the close")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument("--client-processes", type=int, default=2)
    p.add_argument("--save-every", type=float, default=5.0, help="mean s between a student's answers")
    p.add_argument("--saves", choices=("socket", "http"), default="socket",
                   help="the road of the saves: over the page's socket while connected (the page's), or PUTs only")
    p.add_argument("--heartbeat-every", type=float, default=15.0, help="s between heartbeats (the page's)")
    p.add_argument("--violation-every", type=float, default=90.0, help="mean s between a student's violations")
    p.add_argument("--act-every", type=float, default=6.0, help="mean s between one proctor's acts")
    p.add_argument("--budget", type=float, default=1500, help="the whole run stops after this many s")
    p.add_argument("--json", help="also write the figures here")
    return p.parse_args()


def run_day(args, database_url, workdir):
    platform = TestPlatform().start()
    redis = RedisServer(workdir)
    engine = scenario.engine_for(database_url)
    server = clients = None
    try:
        register(database_url, platform)
        server = ToolServer(workdir, database_url=database_url, workers=args.workers, redis_url=redis.url,
                            name="exam-day")
        platform.tool_jwks = json.loads(Browser("127.0.0.1", server.port, platform)._send("GET", "/lti/jwks")[2])
        timeline = plan_timeline(args)
        exam_id = prepare_exam(server, platform, timeline)
        plans = client_plans(args, server, platform, exam_id, timeline, workdir)
        cpu_before = process_cpu(server, redis)
        clients = [ClientProcess(workdir, i, plan) for i, plan in enumerate(plans)]
        ending = watch_the_end(engine, exam_id, timeline, server)
        Path(plans[0]["done_file"]).write_text(json.dumps(ending))
        results = [c.result() for c in clients]
        cpu_after = process_cpu(server, redis)
        return figures(args, engine, platform, exam_id, timeline, ending, results, server,
                       cpu_used(cpu_before, cpu_after))
    finally:
        for client in clients or []:
            client.stop()
        if server is not None:
            server.stop()
        redis.stop()
        platform.stop()
        engine.dispose()


def register(database_url, platform):
    """The admin's step: the test platform registered with the tool (as `flask lti add-platform` does)."""
    from lti_tool import create_app
    from lti_tool.db import db
    from lti_tool.launch import platforms

    app = create_app({"APP_ENV": "test", "DATABASE_URL": database_url, "BACKGROUND_JOBS": False})
    with app.app_context():
        platforms.save(issuer=platform.issuer, client_id=CLIENT_ID, name="Exam-day LMS",
                       auth_login_url=platform.auth_url, token_url=platform.token_url, jwks_url=platform.jwks_url,
                       deployment_ids=[DEPLOYMENT_ID], allow_http=True)
        db.session.commit()
        db.engine.dispose()


def plan_timeline(args):
    launch_from = time.time() + LEAD_SECONDS
    close_at = launch_from + args.launch_window + args.exam_seconds
    return {"launch_from": launch_from, "launch_until": launch_from + args.launch_window, "close_at": close_at,
            "acts_from": launch_from + min(20.0, args.launch_window / 2), "acts_until": close_at - 20.0,
            # an extended attempt ends a minute after the close; the clients stop by themselves after that
            "until": close_at + 60 + 90}


def prepare_exam(server, platform, timeline):
    """The test maker's morning, through the tool's own API after an LTI launch: the exam with its close time
    and questions, bound to the course link, with three TAs assigned as proctors."""
    maker = Browser("127.0.0.1", server.port, platform)
    maker.launch(sub="test-maker", roles=[INSTRUCTOR], link_id=LINK_ID, context_id=CONTEXT_ID)
    closes = datetime.fromtimestamp(timeline["close_at"], timezone.utc).isoformat()
    minutes = int((timeline["close_at"] - time.time()) // 60) + 10
    status, exam = maker.api("POST", "/api/exams", {"title": "Exam day", "duration_minutes": minutes,
                                                   "closes_at": closes})
    _expect(status, 201, "create the exam", exam)
    rng = random.Random(7)
    for i in range(QUESTIONS):
        multi = (i + 1) % 4 == 0
        correct = set(rng.sample(range(4), 2 if multi else 1))
        status, body = maker.api("POST", f"/api/exams/{exam['id']}/questions", {
            "type": "multi" if multi else "single", "text": f"Question {i + 1}?", "points": 1 + i % 3,
            "options": [{"text": f"Option {j + 1}", "correct": j in correct} for j in range(4)]})
        _expect(status, 201, "add a question", body)
    status, body = maker.api("POST", f"/api/exams/{exam['id']}/bind")
    _expect(status, 204, "bind the link", body)
    status, body = maker.api("POST", f"/api/exams/{exam['id']}/publish")
    _expect(status, 200, "publish the exam", body)
    # The list names people the tool knows: each TA opens the tool once before the test maker picks them.
    emails = []
    for i, (role, _) in enumerate(PROCTOR_ACTS):
        if role == "proctor":
            ta = Browser("127.0.0.1", server.port, platform)
            ta.launch(sub=f"proctor-{i}", roles=[TEACHING_ASSISTANT], link_id=LINK_ID, context_id=CONTEXT_ID)
            ta.close()
            emails.append(f"proctor-{i}@example.edu")
    status, body = maker.api("PUT", f"/api/exams/{exam['id']}/proctors", {"emails": emails})
    _expect(status, 200, "assign the proctors", body)
    maker.close()
    return exam["id"]


def _expect(status, wanted, what, body):
    if status != wanted:
        raise RuntimeError(f"could not {what}: HTTP {status} {json.dumps(body)[:300]}")


def client_plans(args, server, platform, exam_id, timeline, workdir):
    """The students spread over the client processes (their arrival times uniform over the window), the
    proctors in the first."""
    rng = random.Random(11)
    students = [{"index": i, "sub": f"student-{i}",
                 "launch_at": timeline["launch_from"] + rng.random() * args.launch_window}
                for i in range(args.students)]
    proctors = [{"index": i, "sub": "test-maker" if role == "test_maker" else f"proctor-{i}", "role": role,
                 "acts": acts} for i, (role, acts) in enumerate(PROCTOR_ACTS)]
    common = {"host": "127.0.0.1", "port": server.port, "issuer": platform.issuer, "kid": platform.key.kid,
              "private_pem": platform.key.private_pem.decode(), "link_id": LINK_ID, "context_id": CONTEXT_ID,
              "exam_id": exam_id, "save_every": args.save_every, "saves_over_socket": args.saves == "socket",
              "heartbeat_every": args.heartbeat_every,
              "violation_every": args.violation_every, "act_every": args.act_every,
              "done_file": str(workdir / "done.json"), **timeline}
    n = args.client_processes
    return [{**common, "students": students[i::n], "proctors": proctors if i == 0 else []} for i in range(n)]


class ClientProcess:
    """bench/exam_day_clients.py with its plan, stopped by its PID."""

    def __init__(self, workdir, index, plan):
        self.plan = plan
        self.plan_path = workdir / f"clients-{index}-plan.json"
        self.result_path = workdir / f"clients-{index}-result.json"
        self.log_path = workdir / f"clients-{index}.log"
        self.plan_path.write_text(json.dumps(plan))
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, str(BENCH / "exam_day_clients.py"), str(self.plan_path), str(self.result_path)],
            stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

    def result(self):
        remaining = max(0.0, self.plan["until"] - time.time()) + 120
        try:
            self.process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            stop_process(self.process, timeout=5)
        if not self.result_path.exists():
            raise RuntimeError(f"the clients wrote no result: {self.log_path.read_text()[-3000:]}")
        return json.loads(self.result_path.read_text())

    def stop(self):
        stop_process(self.process, timeout=5)
        self._log.close()


def watch_the_end(engine, exam_id, timeline, server):
    """Until every attempt is final and every grade sent (or the run's end): when that was (epoch seconds),
    and the workers' peak memory meanwhile (sampled every second)."""
    peak_rss = 0
    final_at = sent_at = None
    give_up = timeline["until"] + 60
    while time.time() < give_up and sent_at is None:
        peak_rss = max(peak_rss, sum(scenario.rss_bytes(pid) for pid in server.workers()))
        if time.time() > timeline["close_at"]:
            with engine.connect() as conn:
                open_attempts = conn.execute(sa.text(
                    "select count(*) from attempts where exam_id = :e and status in ('in_progress', 'paused')"),
                    {"e": exam_id}).scalar()
                unsent = conn.execute(sa.text(
                    "select count(*) from grade_outbox where status <> 'sent'")).scalar()
            if open_attempts == 0 and final_at is None:
                final_at = time.time()
            if final_at is not None and unsent == 0:
                sent_at = time.time()
        time.sleep(1.0)
    return {"sent_at": sent_at, "peak_rss": peak_rss}


def process_cpu(server, redis):
    """CPU seconds so far: the tool's workers, our redis-server, our finished children (the client processes,
    once they are waited for), and the whole machine."""
    children_used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"workers": sum(cpu_seconds(p) for p in server.workers()), "redis": cpu_seconds(redis.process.pid),
            "clients": children_used.ru_utime + children_used.ru_stime,
            "machine": scenario.machine_busy_seconds()}


def cpu_used(before, after):
    return {k: after[k] - before[k] for k in after}


# --- figures and invariants ---------------------------------------------------------------------

def figures(args, engine, platform, exam_id, timeline, ending, results, server, cpu):
    arrivals = [a for r in results for a in r["arrivals"]]
    proctors = [p for r in results for p in r["proctors"]]
    students = [a["student"] for a in arrivals if a["student"]]
    close_at = timeline["close_at"]
    # Once every student has their first question the arrivals are over: figures after it show the exam's
    # steady state apart from the arrival rush.
    settled_at = max((a["launch"]["ready"] for a in arrivals if a["launch"]["ready"]), default=close_at)
    out = {"settings": vars(args), "timeline": timeline, "unfinished_clients": sum(r["unfinished"] for r in results),
           "launches": launch_figures(arrivals, timeline), "saves": save_figures(students, settled_at),
           "violations": violation_figures(students, proctors, settled_at), "acts": act_figures(proctors),
           "sockets": socket_figures(students),
           "ending": ending_figures(engine, exam_id, close_at) | {
               "all_settled_after_close": ending["sent_at"] and round(ending["sent_at"] - close_at, 1)},
           "server": {"cpu_seconds": {k: round(v, 1) for k, v in cpu.items()},
                      "peak_worker_rss_mb": round(ending["peak_rss"] / 2**20),
                      "log_errors": len(server.log_lines("Traceback", "ERROR", "CRITICAL"))}}
    out["invariants"] = check_invariants(engine, platform, exam_id, students, arrivals)
    return out


def ending_figures(engine, exam_id, close_at):
    """For the attempts the close ended (their deadline is the close): from the close to each one written
    final (its audit row) and to its grade accepted by the platform (the outbox row's sent_at). Attempts a
    proctor extended, paused or closed end at other times and are counted apart."""
    timed_out = invariants.audit_times(engine, "attempt.timed_out")
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "select a.id, a.deadline, o.sent_at from attempts a left join grade_outbox o on o.attempt_id = a.id"
            " where a.exam_id = :e"), {"e": exam_id}).all()
    at_close = [(timed_out.get(a), sent and sent.timestamp()) for a, deadline, sent in rows
                if abs(deadline.timestamp() - close_at) < 1.0]
    final = sorted(t - close_at for t, _ in at_close if t)
    sent = sorted(t - close_at for _, t in at_close if t)
    return {"ended_by_the_close": len(at_close), "ended_otherwise": len(rows) - len(at_close),
            "close_to_final": {"p50_s": _round(percentile(final, 50)), "last_s": _round(final and final[-1])},
            "close_to_grade_at_platform": {"p50_s": _round(percentile(sent, 50)), "last_s": _round(sent and sent[-1])}}


def _round(seconds):
    return None if seconds is None or seconds == [] else round(seconds, 1)


def _latencies(values):
    values = sorted(values)
    return {"n": len(values), "p50_ms": _ms(percentile(values, 50)), "p99_ms": _ms(percentile(values, 99)),
            "max_ms": _ms(values[-1] if values else None)}


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def launch_figures(arrivals, timeline):
    launches = [a["launch"] for a in arrivals]
    ready = [x for x in launches if x["ready"]]
    errors = Counter(f"{step} {status}" for x in launches for _, step, status in x["errors"])
    done_at = sorted(x["launched"] for x in launches if x["launched"])
    per_second = Counter(int(t - timeline["launch_from"]) for t in done_at)
    span = (done_at[-1] - done_at[0]) if len(done_at) > 1 else None
    return {"planned": len(launches), "in_the_exam": len(ready), "failed": len(launches) - len(ready),
            "retries": sum(len(x["errors"]) for x in launches), "errors": dict(errors),
            "launches_per_second": round(len(done_at) / span, 1) if span else None,
            "busiest_second": max(per_second.values(), default=0),
            "last_launch_after_window_start": done_at and round(done_at[-1] - timeline["launch_from"], 1),
            "lti_launch": _latencies([x["lti_seconds"] for x in ready]),
            "click_to_first_question": _latencies([x["ready"] - x["started"] for x in ready])}


def save_figures(students, settled_at):
    log = [entry for s in students for entry in s["save_log"]]
    ok = [latency for _, latency, status in log if status == 200]
    statuses = Counter(str(status) for _, _, status in log if status != 200)
    span = (max(t for t, _, _ in log) - min(t for t, _, _ in log)) if log else None
    return {"acknowledged": len(ok), "per_second": round(len(ok) / span, 1) if span else None,
            "over_socket": sum(s["socket_saves"] for s in students),
            "socket_fallbacks": dict(Counter(str(why) for s in students for _, _, why in s["socket_fallbacks"])),
            "latency": _latencies(ok), "other_answers": dict(statuses),
            "latency_after_arrivals": _latencies([latency for t, latency, status in log
                                                  if status == 200 and t > settled_at]),
            "server_errors": sum(n for status, n in statuses.items() if not status.startswith("4"))}


def violation_figures(students, proctors, settled_at):
    """Each acknowledged violation (by the event id the ack named) on each dashboard: how long it took from
    the page to the dashboard, and which never arrived."""
    acked = {event_id for s in students for _, event_id in s["violations_acked"].values()}
    delays, missed = [], []
    for proctor in proctors:
        seen = {event_id for _, _, event_id, _ in proctor["violations"]}
        delays += [(sent, received - sent) for received, _, _, sent in proctor["violations"] if sent]
        missed.append(sorted(acked - seen))
    # A dashboard that lost its socket gets the room again (a roster with every count) when it is back: the
    # events in between are in the counts, not live.
    return {"sent": sum(s["violations_sent"] for s in students), "acknowledged": len(acked),
            "to_dashboard": _latencies([d for _, d in delays]), "dashboard_deliveries": len(delays),
            "to_dashboard_after_arrivals": _latencies([d for sent, d in delays if sent > settled_at]),
            "missed_per_dashboard": [len(m) for m in missed], "missed": missed,
            "dashboard_reconnects": [max(0, len(p["hellos"]) - 1) for p in proctors]}


def act_figures(proctors):
    acts = [a for p in proctors for a in p["acts"]]
    done = [a for a in acts if a["acked"]]
    return {"by_kind": dict(Counter(a["action"] for a in acts)),
            "acknowledged": len(done), "not_acknowledged": [a for a in acts if not a["acked"]],
            "ack": _latencies([a["acked"] - a["sent"] for a in done])}


def socket_figures(students):
    codes = Counter(str(code) for s in students for _, code in s["close_codes"])
    return {"student_sockets": len(students), "reconnects": sum(max(0, len(s["hellos"]) - 1) for s in students),
            "never_connected": sum(1 for s in students if not s["hellos"]), "closes": dict(codes),
            "socket_errors": sum(sum(s["errors"].values()) for s in students),
            "warnings_received": sum(len(s["warnings"]) for s in students),
            "pauses_seen": sum(1 for s in students for _, kind in s["pauses"] if kind == "pause")}


def check_invariants(engine, platform, exam_id, students, arrivals):
    """[(invariant, held, figures)]"""
    checks = []
    answers = invariants.acknowledged_answers(engine, students)
    checks.append(("every acknowledged answer is in the database, as acknowledged",
                   answers["keys"] > 0 and answers["lost"] == 0,
                   f"{answers['saves_acked']} saves acknowledged over {answers['keys']} questions; "
                   f"{answers['missing']} missing, {answers['differing']} different"))
    violations = invariants.violations(engine, students)
    checks.append(("every acknowledged violation is on record", violations["acked"] > 0 and violations["lost"] == 0,
                   invariants.violation_figures(violations)))
    endings = invariants.endings(engine, exam_id)
    arrived = sum(1 for a in arrivals if a["launch"]["ready"])
    checks.append(("every attempt is final (one outbox row, audit rows, a score)",
                   not endings["problems"] and endings["final"] == endings["attempts"] == arrived,
                   f"{endings['attempts']} attempts for {arrived} students in the exam: {endings['statuses']}; "
                   f"{len(endings['problems'])} problems {endings['problems'][:3]}"))
    checks.append(grades_once(engine, platform, exam_id))
    checks.append(warnings_acknowledged(engine, exam_id))
    return checks


def grades_once(engine, platform, exam_id):
    with engine.connect() as conn:
        graded = {sub: (given, maximum) for sub, given, maximum in conn.execute(sa.text(
            "select u.sub, o.score_given, o.score_maximum from grade_outbox o join attempts a on a.id = o.attempt_id"
            " join users u on u.id = a.user_id where a.exam_id = :e"), {"e": exam_id})}
    received = Counter(score["userId"] for score in platform.scores)
    posts = sum(1 for method, path in platform.requests if method == "POST" and path.endswith("/scores"))
    wrong = [sub for sub, (given, maximum) in graded.items() for score in platform.scores
             if score["userId"] == sub and (score["scoreGiven"], score["scoreMaximum"]) != (given, maximum)]
    twice = [sub for sub, n in received.items() if n > 1]
    missing = [sub for sub in graded if sub not in received]
    strangers = [sub for sub in received if sub not in graded]
    held = graded and not (wrong or twice or missing or strangers) and posts == len(platform.scores)
    return ("every grade reached the platform's AGS endpoint exactly once, with the attempt's score", held,
            f"{len(graded)} grades queued, {len(platform.scores)} accepted by the platform from {posts} score "
            f"POSTs; {len(missing)} missing, {len(twice)} twice, {len(wrong)} wrong, {len(strangers)} unknown")


def warnings_acknowledged(engine, exam_id):
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select id, kind, data from proctor_events where exam_id = :e"
                                    " and kind in ('warning', 'warning_ack')"), {"e": exam_id}).all()
    def data(value):
        return json.loads(value) if isinstance(value, str) else (value or {})
    given = {event_id for event_id, kind, _ in rows if kind == "warning"}
    acknowledged = {data(d).get("warning_id") for _, kind, d in rows if kind == "warning_ack"}
    return ("every warning reached the student's page and its acknowledgement is on record",
            bool(given) and given <= acknowledged,
            f"{len(given)} warnings given, {len(given & acknowledged)} acknowledged")


# --- report -------------------------------------------------------------------------------------

def print_report(out):
    launches, saves, violations = out["launches"], out["saves"], out["violations"]
    acts, sockets, ending, server = out["acts"], out["sockets"], out["ending"], out["server"]
    lines = [
        "",
        "== exam day ==",
        f"launches: {launches['in_the_exam']} of {launches['planned']} students in the exam "
        f"({launches['failed']} failed, {launches['retries']} retried: {launches['errors'] or 'no errors'}); "
        f"{launches['launches_per_second']} launches/s, busiest second {launches['busiest_second']}, "
        f"last launch {launches['last_launch_after_window_start']} s after the first could start",
        f"  LTI launch (login -> enter page) {_p(launches['lti_launch'])}; "
        f"click -> first question {_p(launches['click_to_first_question'])}",
        f"answer saves: {saves['acknowledged']} acknowledged ({saves['over_socket']} over the socket; sent as the "
        f"PUT after the socket could not carry them: {saves['socket_fallbacks'] or 'none'}), "
        f"{saves['per_second']}/s, {_p(saves['latency'])}; "
        f"after the arrivals {_p(saves['latency_after_arrivals'])}; "
        f"other answers {saves['other_answers'] or 'none'} ({saves['server_errors']} server errors or no answer)",
        f"violations: {violations['sent']} sent, {violations['acknowledged']} acknowledged; violation -> dashboard "
        f"{_p(violations['to_dashboard'])} over {violations['dashboard_deliveries']} deliveries, after the "
        f"arrivals {_p(violations['to_dashboard_after_arrivals'])}; "
        f"missed live per dashboard {violations['missed_per_dashboard']} (dashboards' reconnects, each "
        f"followed by the whole room: {violations['dashboard_reconnects']})",
        f"proctor acts: {acts['by_kind']}, {acts['acknowledged']} acknowledged, {_p(acts['ack'])}; "
        f"not acknowledged {len(acts['not_acknowledged'])} {acts['not_acknowledged'][:3]}",
        f"sockets: {sockets['student_sockets']} students, {sockets['never_connected']} never connected, "
        f"{sockets['reconnects']} reconnects, closes {sockets['closes']}, {sockets['socket_errors']} error frames; "
        f"{sockets['warnings_received']} warnings and {sockets['pauses_seen']} pauses reached pages",
        f"the close ended {ending['ended_by_the_close']} attempts ({ending['ended_otherwise']} ended otherwise): "
        f"written final {ending['close_to_final']} s after it, grades at the platform "
        f"{ending['close_to_grade_at_platform']} s after it; everything settled "
        f"{_s(ending['all_settled_after_close'])} after the close",
        f"server: CPU s {server['cpu_seconds']}, workers' peak RSS {server['peak_worker_rss_mb']} MB, "
        f"{server['log_errors']} error lines in the gunicorn log; client processes unfinished: "
        f"{out['unfinished_clients']}",
        "invariants:",
    ]
    for invariant, held, figures_ in out["invariants"]:
        lines += [f"  {'PASS' if held else 'FAIL'}  {invariant}", f"        {figures_}"]
    print("\n".join(lines), flush=True)


def _p(latency):
    return f"p50 {latency['p50_ms']} ms, p99 {latency['p99_ms']} ms (n={latency['n']})"


def _s(seconds):
    return "never" if seconds is None else f"{seconds:.1f} s"


if __name__ == "__main__":
    sys.exit(main())
