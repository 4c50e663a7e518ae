"""The exam-day scenario (bench/exam_day.py) end to end at a small size: real LTI launches, sockets, every
kind of proctor act, the close and the grade passback, with PostgreSQL and a redis-server of its own. Every
invariant must hold and every figure must be there, so a change that breaks the day, or the scenario that
measures it, fails here and not in the next benchmark run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_ADMIN_URL, need_redis_server

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = 24
INVARIANTS = [
    "every acknowledged answer is in the database, as acknowledged",
    "every acknowledged violation is on record",
    "every attempt is final (one outbox row, audit rows, a score)",
    "every grade reached the platform's AGS endpoint exactly once, with the attempt's score",
    "every warning reached the student's page and its acknowledgement is on record",
]


@pytest.fixture
def redis_server_binary():
    need_redis_server()


def test_a_small_exam_day_keeps_every_invariant(postgres_url, redis_server_binary, tmp_path):
    figures_path = tmp_path / "exam-day.json"
    run = subprocess.run(
        [sys.executable, "bench/exam_day.py", "--students", str(STUDENTS), "--launch-window", "6",
         "--exam-seconds", "24", "--violation-every", "6", "--act-every", "1", "--save-every", "2",
         "--budget", "420", "--json", str(figures_path)],
        cwd=ROOT, env={**os.environ, "BENCH_POSTGRES_URL": POSTGRES_ADMIN_URL}, capture_output=True, text=True,
        timeout=480)
    report = run.stdout[-5000:] + run.stderr[-3000:]
    assert run.returncode == 0, report
    figures = json.loads(figures_path.read_text())

    assert [(name, held) for name, held, _ in figures["invariants"]] == [(name, True) for name in INVARIANTS], report
    launches = figures["launches"]
    assert (launches["in_the_exam"], launches["failed"], launches["errors"]) == (STUDENTS, 0, {}), report
    assert figures["saves"]["acknowledged"] > STUDENTS and figures["saves"]["server_errors"] == 0, report
    # As the page does: over its socket while connected (the PUT when it is not).
    assert figures["saves"]["over_socket"] > figures["saves"]["acknowledged"] // 2, report
    assert figures["violations"]["missed_per_dashboard"] == [0, 0, 0, 0], report
    acts = figures["acts"]
    assert set(acts["by_kind"]) == {"warn", "pause", "resume", "extend", "terminate", "note"}, report
    assert acts["not_acknowledged"] == [], report
    assert figures["sockets"]["never_connected"] == 0 and figures["sockets"]["pauses_seen"] >= 1, report
    assert figures["ending"]["close_to_grade_at_platform"]["last_s"] is not None, report
