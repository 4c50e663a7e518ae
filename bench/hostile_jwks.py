"""Issue 19's 400 MB key set: one LTI launch whose platform publishes a JWKS of --mb megabytes (its real signing
key first, then filler RSA keys), served lazily by tests/hostile_http.py over loopback.

Each run is its own process (so its peak RSS is its own) on a fresh SQLite file or PostgreSQL database, and
prints: the launch's HTTP status and failed check, seconds, bytes the key server managed to send, the process's
peak RSS growth over the launch (VmHWM after minus VmRSS before), and the database's growth (file size, or
pg_database_size). Medians over --runs. Measures; asserts nothing.

    .venv/bin/python bench/hostile_jwks.py                 # 400 MB, SQLite, 3 runs
    .venv/bin/python bench/hostile_jwks.py --db postgresql --runs 1
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402  (puts the project root on sys.path)

MIB = 1024 * 1024
FILLER_N = "x" * 342  # the length of a 2048-bit modulus in base64url


def status_kb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def one_run(db_kind, megabytes):
    import sqlalchemy as sa

    from lti_tool import create_app
    from lti_tool.db import db
    from lti_tool.launch import platforms
    from lti_tool.launch.models import Platform
    from tests.conftest import LtiLaunch
    from tests.hostile_http import MIB as SERVER_MIB
    from tests.hostile_http import HostileServer, endless
    from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, TestPlatform

    with tempfile.TemporaryDirectory() as tmp, _database(db_kind, tmp) as (url, size):
        scenario.migrate(url)
        app = create_app({"APP_ENV": "test", "DATABASE_URL": url, "TOOL_BASE_URL": "https://localhost"})
        platform = TestPlatform().start()
        keys = HostileServer()
        filler = {"kty": "RSA", "kid": "filler", "alg": "RS256", "use": "sig", "e": "AQAB", "n": FILLER_N}
        keys.route("/jwks", endless(prefix=b'{"keys": [' + json.dumps(platform.key.jwk()).encode(),
                                    filler=b", " + json.dumps(filler).encode(), suffix=b"]}",
                                    total=megabytes * SERVER_MIB))
        try:
            with app.app_context():
                platforms.save(issuer=platform.issuer, client_id=CLIENT_ID, name="Hostile keys",
                               auth_login_url=platform.auth_url, token_url=platform.token_url,
                               jwks_url=keys.url("/jwks"), deployment_ids=[DEPLOYMENT_ID], allow_http=True)
                db.session.commit()
                lti = LtiLaunch(app.test_client(), platform)
                state, nonce = lti.login()
                token = platform.sign(platform.claims(nonce=nonce, roles=["Learner"]))
                db_before = size()
                rss_before = status_kb("VmRSS")
                started = time.monotonic()
                response = lti.post(token, state)
                seconds = time.monotonic() - started
                peak = status_kb("VmHWM")
                db.session.expire_all()
                cached = db.session.scalar(sa.select(Platform.jwks_cache))
                db.session.remove()
                db.engine.dispose()
            body = response.get_data(as_text=True)
            check = body.split('data-check="', 1)[1].split('"', 1)[0] if 'data-check="' in body else ""
            return {"status": response.status_code, "check": check, "seconds": round(seconds, 2),
                    "server_sent_mb": round(keys.sent / MIB, 2), "rss_growth_mb": round((peak - rss_before) / 1024),
                    "db_growth_mb": round((size() - db_before) / MIB, 1), "jwks_cached": cached is not None}
        finally:
            keys.close()
            platform.stop()


class _database:
    """A fresh database: (url, a function giving its size in bytes)."""

    def __init__(self, kind, tmp):
        self.kind, self.tmp = kind, tmp

    def __enter__(self):
        if self.kind == "sqlite":
            path = Path(self.tmp) / "tool.sqlite3"
            return f"sqlite:///{path}", lambda: path.stat().st_size if path.exists() else 0
        self._pg = scenario.fresh_postgres()
        url = self._pg.__enter__()
        engine = scenario.admin_engine()
        name = url.rsplit("/", 1)[1]

        def size():
            with engine.connect() as conn:
                return conn.execute(scenario.sa.text("select pg_database_size(:n)"), {"n": name}).scalar()
        self._engine = engine
        return url, size

    def __exit__(self, *exc):
        if self.kind != "sqlite":
            self._engine.dispose()
            self._pg.__exit__(*exc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=400)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budget", type=int, default=600, help="seconds before the whole benchmark stops")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        scenario.install_guards(args.budget)
        print(json.dumps(one_run(args.db, args.mb)), flush=True)
        return
    scenario.install_guards(args.budget)
    results = []
    for run in range(args.runs):
        child = subprocess.run([sys.executable, __file__, "--one", "--mb", str(args.mb), "--db", args.db,
                                "--budget", str(args.budget)], capture_output=True, text=True,
                               preexec_fn=scenario.die_with_parent, env={**os.environ, "LOG_LEVEL": "WARNING"})
        if child.returncode:
            sys.exit(f"run {run + 1} failed:\n{child.stderr[-3000:]}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"run {run + 1}: {result}", flush=True)
        results.append(result)
    medians = {key: statistics.median(r[key] for r in results)
               for key in ("seconds", "server_sent_mb", "rss_growth_mb", "db_growth_mb")}
    print(f"{args.mb} MB key set, {args.db}, {args.runs} runs: status {[r['status'] for r in results]}, "
          f"check {sorted({r['check'] for r in results})}, cached {[r['jwks_cached'] for r in results]}, "
          f"medians {medians}")


if __name__ == "__main__":
    main()
