"""Worker CPU per answer save (issue 16 item 4): the tool's `PUT /api/attempts/<id>/answers/<qid>` against the
floor, a bare gunicorn + gevent Flask handler doing the same one upsert (bench/bare_save_app.py), and `GET /healthz`
on each (what the HTTP stack costs alone). Both are served by gunicorn as deployed (one gevent worker,
configs/gunicorn.conf.py) on one fresh PostgreSQL database seeded with open attempts; one client sends the saves one
after another on a keep-alive connection, round-robin over the students' questions, each save a higher `seq`. The
worker's CPU seconds are read from /proc around each batch; rounds alternate the order. With --profile, the tool's
saves are also run in-process through Flask's test client under cProfile, and the time split by package (where the
tool's own work goes, without gunicorn). It measures; it does not assert.

    .venv/bin/python bench/save_cost.py                       # 5 rounds of 2,000 saves per server (~2 min)
    .venv/bin/python bench/save_cost.py --rounds 3 --per-round 500 --profile
"""

import argparse
import cProfile
import http.client
import json
import pstats
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402
from simple_websocket import Client  # noqa: E402

ISSUER = "http://127.0.0.1:5999"  # the in-process app's TOOL_BASE_URL (--profile)


class Saver:
    """Sends saves on one keep-alive connection: student after student, question after question, seq rising."""

    def __init__(self, server, students):
        self.server, self.students = server, students
        self.seq = 0

    def batch(self, count, path=None):
        """`count` saves (or GETs of `path`); the worker's CPU seconds they cost."""
        [worker] = self.server.workers()
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        before = scenario.cpu_seconds(worker)
        for _ in range(count):
            self.seq += 1
            if path:
                conn.request("GET", path)
            else:
                student = self.students[self.seq % len(self.students)]
                question, options = student["questions"][self.seq % len(student["questions"])]
                body = json.dumps({"option_ids": [options[self.seq % len(options)]], "seq": self.seq})
                conn.request("PUT", f"/api/attempts/{student['attempt']}/answers/{question}", body,
                             {"Authorization": f"Bearer {student['token']}", "Content-Type": "application/json"})
            response = conn.getresponse()
            answer = response.read()
            if response.status != 200:
                raise RuntimeError(f"{path or 'save'} answered {response.status}: {answer[:300]!r}")
        spent = scenario.cpu_seconds(worker) - before
        conn.close()
        return spent / count


class Page:
    """A student's exam page socket (/ws/student) that saves as the page does: one at a time, the next once the
    server has replied."""

    def __init__(self, server, student):
        self.student = student
        self.ws = Client.connect(f"ws://127.0.0.1:{server.port}/ws/student")
        self.ws.send(json.dumps({"type": "hello", "token": student["token"], "attempt_id": student["attempt"]}))
        self.reply("hello")
        self.seq = 0

    def reply(self, kind, **match):
        while True:
            message = json.loads(self.ws.receive(timeout=30))
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                return message
            if message["type"] == "error":
                raise RuntimeError(f"the socket refused: {message}")

    def save(self, count, took):
        for _ in range(count):
            self.seq += 1
            question, options = self.student["questions"][self.seq % len(self.student["questions"])]
            started = time.perf_counter()
            self.ws.send(json.dumps({"type": "save", "id": str(self.seq), "question_id": question,
                                     "option_ids": [options[self.seq % len(options)]], "seq": self.seq}))
            self.reply("saved", id=str(self.seq))
            took.append(time.perf_counter() - started)


class SocketSaver:
    """Pages saving over their sockets at once, each as fast as the server replies; the worker's CPU seconds per
    save, and the saves' rate and latency."""

    def __init__(self, server, students):
        self.server = server
        self.pages = [Page(server, student) for student in students]
        self.rates, self.latencies = [], []

    def batch(self, count, path=None):
        [worker] = self.server.workers()
        per_page = max(1, count // len(self.pages))
        took = []
        threads = [threading.Thread(target=page.save, args=(per_page, took)) for page in self.pages]
        before, started = scenario.cpu_seconds(worker), time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed, spent = time.perf_counter() - started, scenario.cpu_seconds(worker) - before
        self.rates.append(len(took) / elapsed)
        self.latencies.extend(took)
        return spent / len(took)


def students_of(seeded, secret, issuer):
    return [{"attempt": attempt_id, "token": scenario.launch_token(seeded, user_id, secret=secret, issuer=issuer),
             "questions": [(q, seeded["options_of"][q]) for q in seeded["question_ids"]
                           if seeded["kind_of"][q] == "single"]}
            for user_id, attempt_id in zip(seeded["user_ids"], seeded["attempt_ids"], strict=True)]


def profile(url, secret, students, count):
    """The tool's saves in-process (Flask's test client, no gunicorn) under cProfile: seconds per save, by
    package of the function where the time was spent."""
    import os

    os.environ.update({"APP_ENV": "development", "DATABASE_URL": url, "SECRET_KEY": secret,
                       "BACKGROUND_JOBS": "0", "TOOL_BASE_URL": ISSUER})
    from lti_tool import create_app

    app = create_app()
    client = app.test_client()
    profiler = cProfile.Profile()
    for n in range(count + 50):
        if n == 50:  # imports, connections and first reads, outside the figures
            profiler.enable()
        student = students[n % len(students)]
        question, options = student["questions"][n % len(student["questions"])]
        answer = client.put(f"/api/attempts/{student['attempt']}/answers/{question}",
                            json={"option_ids": [options[0]], "seq": 10**9 + n},
                            headers={"Authorization": f"Bearer {student['token']}"})
        if answer.status_code != 200:
            raise RuntimeError(f"in-process save answered {answer.status_code}: {answer.json}")
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package = defaultdict(float)
    for (path, _, _), (_, _, own, _, _) in stats.stats.items():
        by_package[package_of(path)] += own
    total = sum(by_package.values())
    print(f"in-process, {count} saves: {total / count * 1000:.2f} ms of CPU per save (cProfile's own time, "
          "which adds its overhead), by package:", flush=True)
    for name, seconds in sorted(by_package.items(), key=lambda item: -item[1]):
        print(f"  {name}: {seconds / count * 1000:.3f} ms ({100 * seconds / total:.0f} %)", flush=True)


def package_of(path):
    for name in ("lti_tool", "sqlalchemy", "psycopg2", "flask", "werkzeug", "jwt", "cryptography", "json",
                 "flask_babel", "babel", "prometheus_client", "blinker", "gevent"):
        if f"/{name}/" in path:
            return name
    return "python and the rest" if path != "~" else "built-ins (C)"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=2000)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--pages", type=int, default=50, help="student sockets saving at once")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--budget", type=float, default=900)
    args = parser.parse_args()
    scenario.install_guards(args.budget)
    secret = secrets.token_urlsafe(32)
    with scenario.fresh_postgres() as url, tempfile.TemporaryDirectory() as workdir:
        scenario.migrate(url)
        now = scenario._now()
        seeded = scenario.seed_exam(scenario.engine_for(url), students=args.students, started_at=now,
                                    deadline=now + timedelta(hours=6))
        servers = {}
        try:
            # A page saves at a person's pace; these save as fast as they are answered, past the socket's rate guard.
            servers["tool"] = scenario.Server(url, 1, secret, workdir, name="tool", env={
                "SOCKET_MESSAGES_PER_SECOND": "100000", "SOCKET_MESSAGE_BURST": "100000"})
            servers["bare"] = scenario.Server(url, 1, secret, workdir, app="bare_save_app:app", name="bare",
                                              env={"PYTHONPATH": str(Path(__file__).resolve().parent)})
            # The sockets' students are their own, so neither road's saves are superseded by the other's seq.
            students = students_of(seeded, secret, servers["tool"].base)
            by_request, by_socket = students[:-args.pages - 1], students[-args.pages - 1:]
            savers = {name: Saver(server, by_request) for name, server in servers.items()}
            savers["socket, 1 page"] = SocketSaver(servers["tool"], by_socket[:1])
            savers[f"socket, {args.pages} pages"] = SocketSaver(servers["tool"], by_socket[1:])
            measured = [(name, path) for name in servers for path in (None, "/healthz")]
            measured += [(name, None) for name in savers if name.startswith("socket")]
            for name, path in measured:
                savers[name].batch(50, path)  # imports, connections and first reads, outside the figures
            figures = defaultdict(list)
            for round_ in range(args.rounds):
                for name, path in measured if round_ % 2 == 0 else measured[::-1]:
                    figures[(name, path)].append(savers[name].batch(args.per_round, path))
                print(f"round {round_ + 1}: " + ", ".join(
                    f"{label(*key)} {values[-1] * 1000:.3f} ms" for key, values in figures.items()), flush=True)
            floor = figures[("bare", None)]
            print("worker CPU per request, median of the rounds (ratio to the bare save of the same round):",
                  flush=True)
            for key, values in figures.items():
                ratios = [value / base for value, base in zip(values, floor, strict=True)]
                print(f"  {label(*key)}: {statistics.median(values) * 1000:.3f} ms; ratio "
                      f"{statistics.median(ratios):.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f})", flush=True)
            for name, saver in savers.items():
                if isinstance(saver, SocketSaver):
                    took = sorted(saver.latencies)
                    p50, p99 = took[len(took) // 2] * 1000, took[int(len(took) * 0.99)] * 1000
                    print(f"  tool {name}: {statistics.median(saver.rates):.0f} saves/s (median of the rounds); "
                          f"reply p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)
            for name, server in servers.items():
                if server.error_lines():
                    print(f"{name}: gunicorn logged errors, the first: {server.error_lines()[0]}", flush=True)
        finally:
            for server in servers.values():
                server.stop()
        if args.profile:
            profile(url, secret, students_of(seeded, secret, ISSUER), args.rounds * args.per_round)


def label(name, path):
    if name.startswith("socket"):
        return f"tool save over the {name}"
    return f"{name} {'save' if path is None else path}"


if __name__ == "__main__":
    main()
