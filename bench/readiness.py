"""The readiness probe's cost: `GET /readyz` against gunicorn as deployed (configs/gunicorn.conf.py, one gevent
worker, wsgi:app with its background jobs running) on a fresh PostgreSQL database and, with `--redis`, the Redis
bus; `GET /healthz` on the same keep-alive connection for the floor. Prints the median and p95 of each, measured
in the same run. It measures; it does not assert.

    .venv/bin/python bench/readiness.py                     # PostgreSQL, in-process bus
    .venv/bin/python bench/readiness.py --redis redis://127.0.0.1:6379/0
"""

import argparse
import http.client
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402


def timings(port, path, count):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    seconds = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            seconds.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
    finally:
        conn.close()
    return sorted(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--redis", help="REDIS_URL for the bus (default: the in-process bus)")
    parser.add_argument("--budget", type=float, default=120)
    args = parser.parse_args()
    scenario.install_guards(args.budget)
    env = {"REDIS_URL": args.redis} if args.redis else {}
    with scenario.fresh_postgres() as url, tempfile.TemporaryDirectory() as workdir:
        scenario.migrate(url)
        server = scenario.Server(url, 1, secrets.token_urlsafe(32), workdir, env=env)
        try:
            for path in ("/readyz", "/healthz") * 2:  # warm: the probe's own connection, the first requests
                timings(server.port, path, 20)
            for path in ("/readyz", "/healthz"):
                seconds = timings(server.port, path, args.probes)
                print(f"{path}: median {statistics.median(seconds) * 1000:.2f} ms, "
                      f"p95 {scenario.percentile(seconds, 95) * 1000:.2f} ms over {args.probes} probes", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
