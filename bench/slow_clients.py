"""Slow clients (slowloris, issue 19 item 5): does a normal client still get `GET /healthz`, and how fast, while
one address holds thousands of half-sent request heads?

Each run starts gunicorn as deployed (`configs/gunicorn.conf.py`, one gevent worker, `wsgi:app`,
APP_ENV=development) on a migrated SQLite file and a free 127.0.0.1 port. Probes run alone for `--baseline`
seconds; then the slow client (bench/slowloris_client.py, its own process, from 127.0.0.2) opens `--connections`
connections that each send half a request head and a byte every `--trickle` s, and opens again what the server
closes, while the probes go on for `--duration` s. Then everything is stopped by its PID. A probe is a new
connection from 127.0.0.1 with `GET /healthz` (Connection: close), `--probe-rate` a second, open-loop; one with
no answer within `--probe-timeout` s, or whose connection failed, is a failure. `--root` serves another
checkout with the same slow client (the landed code, for the before). It measures; it does not assert.

    .venv/bin/python bench/slow_clients.py                       # this checkout, 3 runs (~3 min)
    .venv/bin/python bench/slow_clients.py --root /work/main     # another checkout, the same slow client
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402

FAILED = float("inf")


def probe(port, timeout):
    """Seconds to a 200 from /healthz on a new connection, or what went wrong."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            return f"HTTP {response.status}"
    except TimeoutError:
        return "timeout"
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        conn.close()
    elapsed = time.monotonic() - started
    return elapsed if elapsed <= timeout else "timeout"


def probes(port, seconds, rate, timeout):
    """Open-loop probes: one every 1/rate s for `seconds`, each on its own thread; their outcomes."""
    count = int(seconds * rate)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=int(rate * timeout) + 8) as pool:
        futures = []
        for i in range(count):
            time.sleep(max(0.0, started + i / rate - time.monotonic()))
            futures.append(pool.submit(probe, port, timeout))
        return [future.result() for future in futures]


def held_by_workers(pids, source):
    """How many connections from `source` the worker processes hold (their sockets' entries in /proc/net/tcp)."""
    inodes = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if link.startswith("socket:["):
                        inodes.add(link[len("socket:["):-1])
    remote = f"{int.from_bytes(socket.inet_aton(source), 'little'):08X}:"
    with open("/proc/net/tcp") as table:
        next(table)
        return sum(1 for row in map(str.split, table) if row[2].startswith(remote) and row[9] in inodes)


def sample_held(pids, source, until, samples):
    """Once a second until `until`: the connections of the slow client the workers hold."""
    while time.monotonic() < until:
        samples.append(held_by_workers(pids, source))
        time.sleep(1.0)


def latency_figures(outcomes):
    """Percentiles over every probe, a failure counting as slower than any answer."""
    values = sorted(o if isinstance(o, float) else FAILED for o in outcomes)
    answered = [v for v in values if v != FAILED]
    return {"probes": len(values), "answered": len(answered),
            "within_1s": sum(v <= 1.0 for v in answered),
            "failures": dict(Counter(o for o in outcomes if not isinstance(o, float))),
            **{f"p{p}": scenario.percentile(values, p) for p in (50, 90, 99)},
            "max": values[-1] if values else FAILED}


def ms(seconds):
    return "failed" if seconds == FAILED else f"{1000 * seconds:.0f} ms"


def one_run(url, args, workdir, root):
    server = scenario.Server(url, 1, "bench-" + secrets.token_hex(24), workdir, root=root, name="slow")
    try:
        baseline = latency_figures(probes(server.port, args.baseline, args.probe_rate, args.probe_timeout))
        out = Path(workdir) / f"slow-{time.monotonic_ns()}.json"
        cpu_before = sum(scenario.cpu_seconds(pid) for pid in server.workers())
        busy_before = scenario.machine_busy_seconds()
        attacker = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("slowloris_client.py")), "--port", str(server.port),
             "--source", args.source, "--connections", str(args.connections), "--trickle", str(args.trickle),
             "--reopen", str(args.reopen), "--duration", str(args.duration + args.probe_timeout), "--out", str(out)],
            preexec_fn=scenario.die_with_parent)
        held = []
        sampler = threading.Thread(target=sample_held, daemon=True,
                                   args=(server.workers(), args.source, time.monotonic() + args.duration, held))
        sampler.start()
        try:
            attack = latency_figures(probes(server.port, args.duration, args.probe_rate, args.probe_timeout))
            sampler.join()
            attacker.wait(timeout=args.probe_timeout + 60)
        finally:
            if attacker.poll() is None:
                attacker.kill()
                attacker.wait()
        worker_cpu = sum(scenario.cpu_seconds(pid) for pid in server.workers()) - cpu_before
        slow = json.loads(out.read_text())
        others = scenario.machine_busy_seconds() - busy_before - worker_cpu - slow["client_cpu_s"]
        return {"baseline": baseline, "attack": attack, "slow": slow, "held_max": max(held),
                "held_median": statistics.median(held), "worker_cpu_s": worker_cpu,
                "others_cpu_s": max(0.0, others), "server_errors": server.error_lines()}
    finally:
        server.stop()


def line(label, r):
    b, a, s = r["baseline"], r["attack"], r["slow"]
    return (f"[run] {label}: alone p50 {ms(b['p50'])}, p99 {ms(b['p99'])} | under attack "
            f"{a['answered']}/{a['probes']} answered ({a['within_1s']} within 1 s), failures {a['failures'] or 0}, "
            f"p50 {ms(a['p50'])}, p90 {ms(a['p90'])}, p99 {ms(a['p99'])}, max {ms(a['max'])} | the worker held "
            f"{r['held_median']:.0f} of the slow client's connections (median of 1 s samples, at most "
            f"{r['held_max']}) | slow client: {s['opened']} connections opened, {s['closed']} closed by the server"
            + (f" (median after {s['closed_after_p50_s']:.1f} s)" if s["closed"] else "") + ", "
            f"{s['connect_errors']} connects failed, {s['answered']} answered | CPU s: worker {r['worker_cpu_s']:.1f}, "
            f"slow client {s['client_cpu_s']:.1f}, other processes {r['others_cpu_s']:.1f}"
            + (f" | server log: {len(r['server_errors'])} error lines, e.g. {r['server_errors'][:2]}"
               if r["server_errors"] else ""))


def summary(runs):
    def med(values):
        return statistics.median(values)

    attack = [r["attack"] for r in runs]
    return (f"alone p50 {ms(med(r['baseline']['p50'] for r in runs))}; under attack answered "
            f"{med(a['answered'] for a in attack):.0f} of {med(a['probes'] for a in attack):.0f} "
            f"({med(a['within_1s'] for a in attack):.0f} within 1 s), "
            f"p50 {ms(med(a['p50'] for a in attack))}, p90 {ms(med(a['p90'] for a in attack))}, "
            f"p99 {ms(med(a['p99'] for a in attack))}; the worker held {med(r['held_median'] for r in runs):.0f} "
            f"of the slow client's connections (at most {med(r['held_max'] for r in runs):.0f}); "
            f"worker CPU {med(r['worker_cpu_s'] for r in runs):.1f} s/run "
            f"(medians of {len(runs)} runs)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=str(scenario.ROOT), help="the checkout to serve (default: this one)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--connections", type=int, default=4200)
    p.add_argument("--duration", type=float, default=30, help="seconds of probes under attack per run")
    p.add_argument("--baseline", type=float, default=5, help="seconds of probes alone per run")
    p.add_argument("--probe-rate", type=float, default=5, help="probes a second")
    p.add_argument("--probe-timeout", type=float, default=10)
    p.add_argument("--trickle", type=float, default=5, help="seconds between two bytes of a slow head")
    p.add_argument("--reopen", type=float, default=1, help="seconds before the slow client reopens a connection")
    p.add_argument("--source", default="127.0.0.2", help="the slow client's address (the probes come from 127.0.0.1)")
    p.add_argument("--budget", type=float, default=900, help="the whole benchmark stops after this many s")
    args = p.parse_args()
    scenario.install_guards(args.budget)
    files = scenario.raise_open_files_limit()
    root = Path(args.root).resolve()
    commit = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %s"], capture_output=True,
                            text=True).stdout.strip()[:100]
    print(f"[bench] {scenario.machine()}; open files {files}; serving {root} at {commit}")
    print(f"[bench] command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as workdir:
        url = f"sqlite:///{workdir}/bench.sqlite3"
        # The served checkout's own migrations: the landed code may be at another revision than this one.
        subprocess.run([sys.executable, "-m", "flask", "--app", "lti_tool", "db", "upgrade"], cwd=root, check=True,
                       env={**os.environ, "APP_ENV": "development", "DATABASE_URL": url}, capture_output=True)
        for run in range(1, args.runs + 1):
            runs.append(one_run(url, args, workdir, root))
            print(line(f"run {run}", runs[-1]), flush=True)
    print(f"\n== slow clients: {args.connections} half-sent heads from {args.source}, a byte every {args.trickle:g} s, "
          f"reopened after {args.reopen:g} s; {args.probe_rate:g} probes/s from 127.0.0.1, timeout "
          f"{args.probe_timeout:g} s; {root} ==")
    print(summary(runs))
    print(f"Rerun: .venv/bin/python bench/slow_clients.py {' '.join(sys.argv[1:])}")


if __name__ == "__main__":
    main()
