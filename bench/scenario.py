"""Shared helpers for the benchmarks: a throwaway PostgreSQL database (created, migrated, always dropped),
bulk seeding of an exam with students and attempts, launch tokens, the real server (gunicorn) as a
subprocess stopped by its PID, CPU and memory of processes, an independent re-grader, and small statistics.

Nothing here asserts: the benchmarks measure and print what they find."""

import contextlib
import ctypes
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
MIGRATIONS = str(ROOT / "migrations")
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLK = os.sysconf("SC_CLK_TCK")


# --- process hygiene ----------------------------------------------------------------------------

class BenchTimeout(Exception):
    pass


def install_guards(max_seconds):
    """SIGTERM runs the `finally` blocks (so the database is dropped), and the whole benchmark stops by
    itself after `max_seconds`."""

    def on_term(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    def on_alarm(signum, frame):
        raise BenchTimeout(f"benchmark exceeded its {max_seconds} s budget")

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(max_seconds))


def die_with_parent():
    """For subprocess.Popen(preexec_fn=...): the child gets SIGTERM when the benchmark dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def raise_open_files_limit():
    """Every socket is a file descriptor: lift the soft limit to the hard one (children inherit it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


# --- a fresh database ---------------------------------------------------------------------------

def _driver_url(url):
    return url.replace("postgresql://", "postgresql+psycopg2://", 1) if url.startswith("postgresql://") else url


def admin_engine():
    return sa.create_engine(_driver_url(ADMIN_URL), isolation_level="AUTOCOMMIT",
                            connect_args={"connect_timeout": 3})


@contextlib.contextmanager
def fresh_postgres():
    """Yield the URL of a new database `bench_<random>` on ADMIN_URL's server; drop it at the end, also on
    failure or timeout."""
    name = f"bench_{secrets.token_hex(6)}"
    admin = admin_engine()
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        signal.alarm(0)
        with admin.connect() as conn:
            conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :n AND pid <> pg_backend_pid()"),
                {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
        print(f"[bench] dropped database {name}", flush=True)


def migrate(url):
    """`flask db upgrade` on `url`, through the app's own Alembic migrations."""
    from flask_migrate import upgrade

    from lti_tool import create_app
    from lti_tool.db import db

    app = create_app({"APP_ENV": "test", "DATABASE_URL": url})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


def engine_for(url):
    return sa.create_engine(_driver_url(url))


def truncate_all(engine):
    """Empty every table (TRUNCATE does not fire the audit log's append-only row triggers)."""
    from lti_tool.db import db

    _models()
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for t in reversed(db.metadata.sorted_tables):
                conn.execute(sa.text(f"DELETE FROM {t.name}"))


def _models():
    from lti_tool import (
        audit,  # noqa: F401
        create_app,  # noqa: F401  (importing the package is enough)
    )
    from lti_tool.demo import models as demo_models  # noqa: F401
    from lti_tool.exam import models as exam_models
    from lti_tool.identity import models as identity_models
    from lti_tool.launch import models as launch_models

    return exam_models, identity_models, launch_models


# --- seeding ------------------------------------------------------------------------------------

def _insert(conn, table, rows):
    """Insert many rows in one round of multi-VALUES statements; return their ids in order."""
    if not rows:
        return []
    stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in conn.execute(stmt, rows)]


def seed_exam(engine, *, students, questions=20, options=4, multi_every=4, deadline, started_at,
              answers_per_attempt=0, seed=1, test_maker=False):
    """One platform, course, resource link and exam (`questions` x `options`; every `multi_every`-th
    question takes several answers), `students` users with a Student membership and one in-progress
    attempt each whose deadline is `deadline`, and `answers_per_attempt` saved answers per attempt;
    with `test_maker`, also the course's test maker (who proctors every exam of the course).

    Returns a dict with the ids and, per attempt, the answers written (for re-grading)."""
    exam_m, ident_m, launch_m = _models()
    rng = random.Random(seed)
    with engine.begin() as conn:
        [platform_id] = _insert(conn, launch_m.Platform.__table__, [dict(
            name="Bench LMS", issuer="https://lms.bench.invalid", client_id="bench",
            auth_login_url="https://lms.bench.invalid/auth", token_url="https://lms.bench.invalid/token",
            jwks_url="https://lms.bench.invalid/jwks", registered_via="cli")])
        [course_id] = _insert(conn, ident_m.Course.__table__, [dict(
            platform_id=platform_id, context_id="bench-course", title="Bench course")])
        [exam_id] = _insert(conn, exam_m.Exam.__table__, [dict(
            course_id=course_id, title="Bench exam", instructions="", duration_minutes=60,
            shuffle_questions=False, shuffle_options=False, attempts_allowed=1, partial_credit=False,
            published_at=_now())])
        [link_id] = _insert(conn, ident_m.ResourceLink.__table__, [dict(
            course_id=course_id, lti_id="bench-link", title="Bench exam", exam_id=exam_id)])
        kinds = ["multi" if multi_every and (i + 1) % multi_every == 0 else "single" for i in range(questions)]
        points = [float(1 + i % 3) for i in range(questions)]
        question_ids = _insert(conn, exam_m.Question.__table__, [dict(
            exam_id=exam_id, position=i, kind=kinds[i], text=f"Question {i + 1}?", points=points[i])
            for i in range(questions)])
        option_rows, correct_at = [], []
        for qi, qid in enumerate(question_ids):
            n_correct = 2 if kinds[qi] == "multi" else 1
            correct = set(rng.sample(range(options), n_correct))
            correct_at.append(correct)
            option_rows += [dict(question_id=qid, position=j, text=f"Option {j + 1}", is_correct=j in correct)
                            for j in range(options)]
        option_ids = _insert(conn, exam_m.Option.__table__, option_rows)
        options_of = {qid: option_ids[qi * options:(qi + 1) * options] for qi, qid in enumerate(question_ids)}
        correct_of = {qid: sorted(options_of[qid][j] for j in correct_at[qi]) for qi, qid in enumerate(question_ids)}
        kind_of = dict(zip(question_ids, kinds, strict=False))
        points_of = dict(zip(question_ids, points, strict=False))

        user_ids = _insert(conn, ident_m.User.__table__, [dict(
            platform_id=platform_id, sub=f"student-{i}", name=f"Student {i}", email=f"s{i}@bench.invalid")
            for i in range(students)])
        _insert(conn, ident_m.Membership.__table__, [dict(
            user_id=u, course_id=course_id, roles=["student"], lti_roles=[LEARNER]) for u in user_ids])
        maker_id = None
        if test_maker:
            [maker_id] = _insert(conn, ident_m.User.__table__, [dict(
                platform_id=platform_id, sub="test-maker", name="Test maker", email="maker@bench.invalid")])
            _insert(conn, ident_m.Membership.__table__, [dict(
                user_id=maker_id, course_id=course_id, roles=["test_maker"], lti_roles=[INSTRUCTOR])])
        order = list(question_ids)
        option_order = {str(q): options_of[q] for q in question_ids}
        attempt_ids = _insert(conn, exam_m.Attempt.__table__, [dict(
            exam_id=exam_id, user_id=u, resource_link_id=link_id, number=1, status="in_progress",
            started_at=started_at, deadline=deadline, check_at=deadline, question_order=order,
            option_order=option_order, position=0) for u in user_ids])

        answers = {}
        answer_rows = []
        for a in attempt_ids:
            chosen_map = {}
            for qid in rng.sample(question_ids, min(answers_per_attempt, len(question_ids))):
                chosen = random_choice(rng, kind_of[qid], options_of[qid], correct_of[qid])
                chosen_map[qid] = chosen
                answer_rows.append(dict(attempt_id=a, question_id=qid, option_ids=chosen, flagged=False,
                                        saved_at=started_at + timedelta(seconds=rng.randint(1, 600))))
            answers[a] = chosen_map
        for i in range(0, len(answer_rows), 5000):
            conn.execute(sa.insert(exam_m.Answer.__table__), answer_rows[i:i + 5000])
    return dict(platform_id=platform_id, course_id=course_id, exam_id=exam_id, link_id=link_id,
                question_ids=question_ids, options_of=options_of, correct_of=correct_of, kind_of=kind_of,
                points_of=points_of, user_ids=user_ids, attempt_ids=attempt_ids, answers=answers,
                maker_id=maker_id)


def launch_token(seeded, user_id, *, secret, issuer, roles=("student",), ttl=3600):
    """The launch token a page of this user would hold, minted as the launch does (lti_tool.identity.tokens)."""
    from lti_tool.identity import tokens

    context = tokens.LaunchContext(user_id=user_id, course_id=seeded["course_id"],
                                   resource_link_id=seeded["link_id"], roles=tuple(roles),
                                   launch_id=secrets.token_hex(8), launched_at=int(time.time()))
    return tokens.issue(context, secret_key=secret, issuer=issuer, ttl=ttl)


def random_choice(rng, kind, option_ids, correct):
    """A plausible pick: right half of the time, otherwise random (1..3 options for a multi question)."""
    if rng.random() < 0.5:
        return sorted(correct)
    if kind == "single":
        return [rng.choice(option_ids)]
    return sorted(rng.sample(option_ids, rng.randint(1, 3)))


def expected_score(seeded, chosen_map):
    """All-or-nothing re-grading, written independently of lti_tool.exam.grading."""
    score = sum(seeded["points_of"][q] for q, chosen in chosen_map.items()
                if sorted(set(chosen)) == seeded["correct_of"][q])
    return round(score, 4), round(sum(seeded["points_of"].values()), 4)


# --- numbers ------------------------------------------------------------------------------------

def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def summary(values):
    """'median (min-max)' of a list of numbers."""
    if not values:
        return "n/a"
    return f"{statistics.median(values):.3g} (min {min(values):.3g}, max {max(values):.3g})"


# --- processes ----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except (OSError, IndexError, ValueError):
        return 0.0


def rss_bytes(pid):
    """Resident memory of one process (VmRSS)."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return out


def pg_backends(engine):
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text(
            "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"))]


class Server:
    """gunicorn as the deployment runs it (configs/gunicorn.conf.py), serving `app`; stopped by its own PID.
    `env` adds to the deployment's environment (REDIS_URL, PYTHONPATH for an app in bench/); `root` is the
    checkout served (another one, e.g. the landed code, for a before/after)."""

    def __init__(self, database_url, workers, secret, workdir, *, app="wsgi:app", env=None, name=None, root=ROOT):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(workdir) / f"gunicorn-{name or f'{workers}w'}-{self.port}.log"
        env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": secret,
               "BIND": f"127.0.0.1:{self.port}", "TOOL_BASE_URL": self.base, "WEB_CONCURRENCY": str(workers),
               "LOG_LEVEL": "WARNING", **(env or {})}
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "configs/gunicorn.conf.py", app],
            env=env, cwd=root, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200 and len(children(self.proc.pid)) >= workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.log_path.read_text()[-2000:]}")

    def workers(self):
        return children(self.proc.pid)

    def error_lines(self):
        return [ln for ln in self.log_path.read_text().splitlines()
                if "Traceback" in ln or "ERROR" in ln or "CRITICAL" in ln]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


def machine_times():
    """Seconds the machine's cores spent in each state since boot (all cores), from /proc/stat."""
    names = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
    fields = open("/proc/stat").readline().split()[1:1 + len(names)]
    return {name: int(value) / CLK for name, value in zip(names, fields, strict=True)}


def machine_busy_seconds():
    """CPU seconds used by everything on the machine (all cores), from /proc/stat."""
    times = machine_times()
    return sum(times.values()) - times["idle"] - times["iowait"]


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pg = "unknown"
    try:
        eng = admin_engine()
        with eng.connect() as conn:
            pg = conn.execute(sa.text("show server_version")).scalar()
        eng.dispose()
    except Exception:  # noqa: BLE001
        pass
    return f"nproc={os.cpu_count()}, CPU={cpu}, PostgreSQL {pg}, Python {sys.version.split()[0]}"


def _now():
    from lti_tool.db import utcnow

    return utcnow()
