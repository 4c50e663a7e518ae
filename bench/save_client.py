"""Load client for bench/answer_saves.py (run it as its own process; answer_saves.py does).

Each simulated student is one greenlet with one keep-alive HTTP connection (raw http.client) that
PUTs /api/attempts/<id>/answers/<qid> with its launch token, one request at a time: back to back
(`--rate 0`), or paced so that all students together offer `--rate` saves/s. Writes a JSON result:
counts, latency percentiles, client CPU, and the last acknowledged choice per (attempt, question)."""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

import gevent  # noqa: E402

STALE = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)


def percentile(values, p):
    if not values:
        return None
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--plan", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--duration", type=float, default=15)
    p.add_argument("--rate", type=float, default=0, help="total offered saves/s; 0 = back to back")
    p.add_argument("--timeout", type=float, default=20, help="per request; the exam page uses 20 s")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--healthz", action="store_true", help="GET /healthz instead of saving (a baseline)")
    args = p.parse_args()
    plan = json.load(open(args.plan))
    host, port, students = plan["host"], plan["port"], plan["students"]
    period = len(students) / args.rate if args.rate else 0.0

    latencies, errors, error_samples = [], Counter(), []
    acked, ambiguous = {}, set()
    started = time.monotonic()
    stop_at = started + args.duration
    finished = [started]
    reconnects = [0]

    def request(s, qid, body, headers):
        if args.healthz:
            return "GET", "/healthz", None, {}
        return "PUT", f"/api/attempts/{s['attempt']}/answers/{qid}", body, headers

    def student(index, s):
        rng = random.Random(args.seed * 100003 + index)
        headers = {"Authorization": f"Bearer {s['token']}", "Content-Type": "application/json"}
        qids = list(s["questions"])
        conn = http.client.HTTPConnection(host, port, timeout=args.timeout)
        used = [0]  # requests answered on this connection
        next_at = started + rng.random() * period
        while True:
            if period:
                wait = next_at - time.monotonic()
                if wait > 0:
                    gevent.sleep(wait)
                next_at += period
            if time.monotonic() >= stop_at:
                break
            qid = rng.choice(qids)
            opts = s["questions"][qid]
            chosen = sorted(rng.sample(opts, rng.randint(1, 2) if s["kinds"][qid] == "multi" else 1))
            key = f"{s['attempt']}:{qid}"
            body = json.dumps({"option_ids": chosen})
            t0 = time.perf_counter()
            try:
                try:
                    conn.request(*request(s, qid, body, headers))
                    resp = conn.getresponse()
                except STALE:
                    if not used[0]:
                        raise
                    # The server closed the idle keep-alive connection (gunicorn's keepalive is 2 s): like a
                    # browser, open a new connection and send the request again, once.
                    reconnects[0] += 1
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=args.timeout)
                    used[0] = 0
                    conn.request(*request(s, qid, body, headers))
                    resp = conn.getresponse()
                data = resp.read()
                used[0] += 1
                elapsed = time.perf_counter() - t0
                if resp.status == 200:
                    latencies.append(elapsed)
                    if not args.healthz:
                        acked[key] = chosen
                    ambiguous.discard(key)
                else:
                    errors[f"HTTP {resp.status}"] += 1
                    if resp.status >= 500:
                        ambiguous.add(key)
                    if len(error_samples) < 5:
                        error_samples.append(f"HTTP {resp.status}: {data[:300]!r}")
                    if resp.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = http.client.HTTPConnection(host, port, timeout=args.timeout)
                        used[0] = 0
            except Exception as exc:  # noqa: BLE001  (counted and reported)
                errors[type(exc).__name__] += 1
                ambiguous.add(key)
                if len(error_samples) < 5:
                    error_samples.append(repr(exc)[:300])
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=args.timeout)
                used[0] = 0
            finished[0] = max(finished[0], time.monotonic())
        conn.close()

    greenlets = [gevent.spawn(student, i, s) for i, s in enumerate(students)]
    gevent.joinall(greenlets, timeout=args.duration + 4 * args.timeout)
    gevent.killall([g for g in greenlets if not g.dead], block=False)
    wall = max(finished[0], stop_at) - started
    latencies.sort()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "ok": len(latencies), "errors": dict(errors), "error_samples": error_samples,
        "seconds": wall, "saves_per_s": len(latencies) / wall,
        "offered_rate": args.rate, "students": len(students),
        "p50_ms": 1000 * (percentile(latencies, 50) or 0), "p90_ms": 1000 * (percentile(latencies, 90) or 0),
        "p99_ms": 1000 * (percentile(latencies, 99) or 0), "max_ms": 1000 * (latencies[-1] if latencies else 0),
        "client_cpu_s": usage.ru_utime + usage.ru_stime, "stale_reconnects": reconnects[0],
        "acked": acked, "ambiguous": sorted(ambiguous),
    }
    json.dump(result, open(args.out, "w"))


if __name__ == "__main__":
    main()
