"""Worker CPU per arrival (issue 16 item 3): the tool's LTI login and launch, and the whole arrival (login,
launch, the lobby's current exam, the start of an attempt of 20 questions), against the floor: a bare pylti1p3
Flask tool's login and launch (bench/bare_lti_app.py). Each is served by gunicorn as deployed (one gevent worker,
configs/gunicorn.conf.py), on a fresh PostgreSQL database for the tool, launched from the test LTI platform
(tests/lti_platform.py, RS256) by bench/lti_browser.py over a keep-alive connection, one student after another.
The worker's CPU seconds are read from /proc around each batch; rounds alternate which server goes first.
With --before, a checkout of earlier code (e.g. `git worktree add /tmp/before <commit>`) is measured in the same
rounds as a third server. It measures; it does not assert.

    .venv/bin/python bench/launch_cost.py                         # 5 rounds of 200 students per server (~3 min)
    .venv/bin/python bench/launch_cost.py --before /tmp/before --rounds 3
"""

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402
from exam_day import register  # noqa: E402
from lti_browser import Browser  # noqa: E402

from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, LEARNER, TestPlatform  # noqa: E402

CONTEXT_ID, LINK_ID = "launch-cost-course", "launch-cost-link"
QUESTIONS = 20


def prepare_exam(server, platform):
    """A published exam of 20 questions bound to the course link, through the tool's API after a launch."""
    maker = Browser("127.0.0.1", server.port, platform)
    maker.launch(sub="test-maker", roles=[INSTRUCTOR], link_id=LINK_ID, context_id=CONTEXT_ID)
    status, exam = maker.api("POST", "/api/exams", {"title": "Launch cost", "duration_minutes": 600})
    steps = [(status, 201)]
    for i in range(QUESTIONS):
        status, _ = maker.api("POST", f"/api/exams/{exam['id']}/questions", {
            "type": "single", "text": f"Question {i + 1}?", "points": 1,
            "options": [{"text": f"Option {j + 1}", "correct": j == 0} for j in range(4)]})
        steps.append((status, 201))
    steps.append((maker.api("POST", f"/api/exams/{exam['id']}/bind")[0], 204))
    steps.append((maker.api("POST", f"/api/exams/{exam['id']}/publish")[0], 200))
    maker.close()
    if any(got != wanted for got, wanted in steps):
        raise RuntimeError(f"could not prepare the exam: {steps}")
    return exam["id"]


def arrive(server, platform, sub, exam_id):
    """One student: login and launch; then, where `exam_id` is given, the lobby's current exam and the start."""
    browser = Browser("127.0.0.1", server.port, platform)
    browser.launch(sub=sub, roles=[LEARNER], link_id=LINK_ID, context_id=CONTEXT_ID)
    if exam_id is not None:
        status, _ = browser.api("GET", "/api/exams/current")
        started, attempt = browser.api("POST", f"/api/exams/{exam_id}/attempts", {})
        if status != 200 or started != 200 or len(attempt["questions"]) != QUESTIONS:
            raise RuntimeError(f"the arrival failed: current {status}, start {started}")
    browser.close()


def cpu_per_arrival(server, platform, subs, exam_id=None):
    [worker] = server.workers()
    before = scenario.cpu_seconds(worker)
    for sub in subs:
        arrive(server, platform, sub, exam_id)
    return (scenario.cpu_seconds(worker) - before) / len(subs)


def bare_settings(platform):
    with urllib.request.urlopen(platform.jwks_url, timeout=10) as response:
        key_set = json.load(response)
    from lti_tool.launch.keys import new_private_pem

    return json.dumps({"issuer": platform.issuer, "client_id": CLIENT_ID, "deployment_id": DEPLOYMENT_ID,
                       "auth_login_url": platform.auth_url, "auth_token_url": platform.token_url,
                       "key_set": key_set, "private_key": new_private_pem(2048)})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=200)
    parser.add_argument("--before", help="a checkout of earlier code, measured beside this one")
    parser.add_argument("--budget", type=float, default=1200)
    args = parser.parse_args()
    scenario.install_guards(args.budget)
    secret = secrets.token_urlsafe(32)
    platform = TestPlatform().start()
    servers = {}
    with scenario.fresh_postgres() as url, tempfile.TemporaryDirectory() as workdir:
        scenario.migrate(url)
        register(url, platform)
        try:
            servers["tool"] = scenario.Server(url, 1, secret, workdir, name="tool")
            if args.before:
                servers["before"] = scenario.Server(url, 1, secret, workdir, name="before", root=args.before)
            servers["bare"] = scenario.Server(url, 1, secret, workdir, app="bare_lti_app:app", name="bare", env={
                "PYTHONPATH": str(Path(__file__).resolve().parent), "BARE_LTI_PLATFORM": bare_settings(platform)})
            exam_id = prepare_exam(servers["tool"], platform)
            measured = [("bare", None), ("tool", None), ("tool", exam_id)]
            if args.before:
                measured += [("before", None), ("before", exam_id)]
            for name, exam in measured:  # imports, connections and first reads, outside the figures
                cpu_per_arrival(servers[name], platform, [f"warm-{name}-{exam}"], exam)
            figures = {}
            for round_ in range(args.rounds):
                order = measured if round_ % 2 == 0 else measured[::-1]
                spent = {}
                for name, exam in order:
                    subs = [f"{name}-{exam}-{round_}-{i}" for i in range(args.per_round)]
                    spent[(name, exam)] = cpu_per_arrival(servers[name], platform, subs, exam)
                for (name, exam), seconds in spent.items():
                    figures.setdefault((name, exam), []).append(seconds)
                print(f"round {round_ + 1}: " + ", ".join(
                    f"{label(name, exam)} {seconds * 1000:.2f} ms" for (name, exam), seconds in spent.items()),
                    flush=True)
            report(figures)
            for name, server in servers.items():
                if server.error_lines():
                    print(f"{name}: gunicorn logged errors, the first: {server.error_lines()[0]}", flush=True)
        finally:
            for server in servers.values():
                server.stop()
            platform.stop()


def label(name, exam):
    return f"{name} {'login+launch' if exam is None else 'whole arrival'}"


def report(figures):
    floor = figures[("bare", None)]
    print("worker CPU per student, median of the rounds (ratio to the bare pylti1p3 login+launch of the same "
          "round, median):", flush=True)
    for key, values in figures.items():
        ratios = [value / base for value, base in zip(values, floor, strict=True)]
        print(f"  {label(*key)}: {statistics.median(values) * 1000:.2f} ms; ratio {statistics.median(ratios):.2f} "
              f"(rounds {min(ratios):.2f}-{max(ratios):.2f})", flush=True)


if __name__ == "__main__":
    main()
