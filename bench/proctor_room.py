"""Live proctoring under load: the real server (gunicorn + gevent, configs/gunicorn.conf.py, wsgi:app, one
worker) on a fresh PostgreSQL database with 2,000 students in progress, against a bare flask-sock floor
(bench/bare_broadcast_app.py, same gunicorn config) measured in the same run with the same client
(bench/proctor_client.py, its own processes). Four measurements:

1. broadcast: a proctor's `announce` on /ws/proctor to 250 / 1,000 / 2,000 student sockets (the tool: event
   and audit row committed, then the bus, then each socket's queue); delivered %, publish -> receive p50/p99,
   as a ratio to the floor's (one message queued for every socket);
2. violations: 2,000 students heartbeating while bursts of them report a violation at the same moment;
   violation -> proctor dashboard p50/p99; every violation sent acknowledged, in the database and on the
   dashboard;
3. memory per idle authenticated student socket: worker RSS with N sockets minus before, / N (floor too);
4. violations across 2 gunicorn processes through Redis (students on one, the dashboard on the other) vs one.

It measures and prints; it does not assert. Loopback only; it starts its own processes (and, unless
--redis-url is given, its own redis-server, so no one else's pub/sub hears it) and stops them by PID;
drops its database at the end, also on failure or when --budget runs out. Rerun:

    .venv/bin/python bench/proctor_room.py                       # everything, full size, 3 runs (~30 min)
    .venv/bin/python bench/proctor_room.py --parts broadcast --sizes 250 --runs 1    # a quick look
"""

import argparse
import json
import os
import secrets
import select
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402
import sqlalchemy as sa  # noqa: E402

BENCH = Path(__file__).resolve().parent
# Every tool server takes the same launch tokens, so a student's token works on either host.
ISSUER = "http://127.0.0.1"
TARGETS = ("100% delivered; broadcast p99 <= 1.3x the bare floor's; violation -> dashboard p99 <= 150 ms; "
           "<= 60 KB per idle socket; cross-worker p99 within +25 ms of one worker's")


class ClientProcess:
    """One proctor_client.py process, driven by lines on its stdin and stdout; stopped by its PID."""

    def __init__(self, role, plan, workdir, name, lifetime):
        self.name = name
        workdir = Path(workdir)
        plan_path = workdir / f"plan-{name}.json"
        plan_path.write_text(json.dumps(plan))
        self.out = workdir / f"result-{name}.json"
        self.log_path = workdir / f"client-{name}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(BENCH / "proctor_client.py"), "--role", role, "--plan", str(plan_path),
             "--out", str(self.out), "--lifetime", str(int(lifetime))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, cwd=scenario.ROOT,
            preexec_fn=scenario.die_with_parent)
        self._buffer = b""

    def expect(self, word, timeout):
        """The words after the next line that starts with `word`."""
        deadline = time.monotonic() + timeout
        while True:
            line, newline, rest = self._buffer.partition(b"\n")
            if newline:
                self._buffer = rest
                words = line.decode().split(maxsplit=1)
                if words and words[0] == word:
                    return words[1] if len(words) > 1 else ""
                continue
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise RuntimeError(f"client {self.name}: no {word} (exit code {self.proc.poll()}); "
                                   f"log: {self.log_path.read_text()[-1500:]}")
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 1.0))
            if ready:
                self._buffer += os.read(self.proc.stdout.fileno(), 65536)

    def tell(self, *words):
        self.proc.stdin.write((" ".join(map(str, words)) + "\n").encode())
        self.proc.stdin.flush()

    def finish(self):
        """STOP: the client closes its sockets and writes its result."""
        self.tell("STOP")
        self.proc.wait(timeout=90)
        self.log.close()
        return json.loads(self.out.read_text())

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()


class Bench:
    def __init__(self, args, workdir, url, engine, seeded, secret):
        self.args = args
        self.workdir = workdir
        self.url = url
        self.engine = engine
        self.seeded = seeded
        self.secret = secret
        self.clients = []
        self.redis_pid = None
        self.students = [{"attempt_id": a, "token": scenario.launch_token(seeded, u, secret=secret, issuer=ISSUER)}
                         for u, a in zip(seeded["user_ids"], seeded["attempt_ids"], strict=True)]
        self.maker_token = scenario.launch_token(seeded, seeded["maker_id"], secret=secret, issuer=ISSUER,
                                                 roles=("test_maker",))

    # --- processes ------------------------------------------------------------------------------

    def client(self, role, plan, name):
        process = ClientProcess(role, plan, self.workdir, name, lifetime=self.args.budget)
        self.clients.append(process)
        return process

    def stop_clients(self):
        for process in self.clients:
            process.kill()
        self.clients = []

    def students_plan(self, server, n, behaviour, tag, **extra):
        return {"url": f"ws://127.0.0.1:{server.port}/ws/student", "students": self.students[:n],
                "behaviour": behaviour, "tag": tag, **extra}

    def proctor_plan(self, server, behaviour, tag, **extra):
        return {"url": f"ws://127.0.0.1:{server.port}/ws/proctor", "token": self.maker_token,
                "exam_id": self.seeded["exam_id"], "behaviour": behaviour, "tag": tag, **extra}

    def open_students(self, server, n, behaviour, tag, **extra):
        process = self.client("students", self.students_plan(server, n, behaviour, tag, **extra), f"{tag}-students")
        ready = json.loads(process.expect("READY", 300))
        if ready["connected"] < n:
            print(f"[bench] {tag}: only {ready['connected']} of {n} student sockets said hello: {ready}", flush=True)
        return process, ready

    def window(self, servers, clients):
        return CpuWindow(self.engine, {
            "workers": [pid for s in servers for pid in s.workers()],
            "clients": [c.proc.pid for c in clients],
            **({"redis": [self.redis_pid]} if self.redis_pid else {}),
        })

    # --- 3. memory ------------------------------------------------------------------------------

    def memory(self, server, label, n):
        [worker] = server.workers()
        warm, _ = self.open_students(server, 10, "idle", f"mem-{label}-warm")
        warm.tell("GO")
        warm.finish()
        settle([worker])
        before = scenario.rss_bytes(worker)
        process, ready = self.open_students(server, n, "idle", f"mem-{label}")
        settle([worker])
        after = scenario.rss_bytes(worker)
        process.tell("GO")
        process.finish()
        settle([worker])
        r = {"label": label, "sockets": ready["connected"], "before_mb": before / 2**20, "after_mb": after / 2**20,
             "kb_per_socket": (after - before) / 1024 / max(1, ready["connected"]),
             "extensions": ready["extensions"]}
        print(f"[run] memory {label}: {r['sockets']} idle sockets, worker RSS {r['before_mb']:.1f} -> "
              f"{r['after_mb']:.1f} MB = {r['kb_per_socket']:.1f} KB per socket; extensions negotiated "
              f"{r['extensions']}", flush=True)
        return r

    # --- 1. broadcast ---------------------------------------------------------------------------

    def broadcast(self, server, label, n, run):
        a = self.args
        tag = f"b{n}-{label}-{run}"
        wait_s = a.announces * a.announce_interval + 15
        students, ready = self.open_students(server, n, "listen", tag, expect_announces=a.announces, wait_s=wait_s)
        proctor = self.client("proctor", self.proctor_plan(server, "announce", tag, count=a.announces,
                                                             interval_s=a.announce_interval), f"{tag}-proctor")
        proctor.expect("READY", 60)
        settle(server.workers())
        waited = wait_for_quiet(a.quiet_wait)
        cpu = self.window([server], [students, proctor])
        students.tell("GO")
        proctor.tell("GO")
        proctor.expect("DONE", wait_s + 30)
        students.expect("DONE", wait_s + 30)
        used = cpu.end()
        got, sent = students.finish(), proctor.finish()
        self.clients = []
        latencies, spreads = [], []
        for text, at in sent["announced"].items():
            times = got["announces"].get(text, [])
            latencies += [t - at for t in times]
            if times:
                spreads.append(max(times) - at)
        latencies.sort()
        r = {"label": label, "sockets": ready["connected"], "n": n, "delivered": len(latencies),
             "delivered_pct": 100 * len(latencies) / (a.announces * n),
             "p50_ms": 1000 * scenario.percentile(latencies, 50), "p99_ms": 1000 * scenario.percentile(latencies, 99),
             "max_ms": 1000 * (latencies[-1] if latencies else float("nan")),
             "last_ms": 1000 * statistics.median(spreads) if spreads else float("nan"),
             "worker_cpu_ms_per_broadcast": 1000 * used["workers"] / a.announces,
             "errors": {**got["errors"], **sent["errors"]}, "cpu": used, "waited_s": waited}
        print(f"[run] broadcast {label} to {n} (run {run}): delivered {r['delivered']}/{n * a.announces} "
              f"({r['delivered_pct']:.1f}%), p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max "
              f"{r['max_ms']:.0f} ms, last socket (median) {r['last_ms']:.1f} ms | worker CPU "
              f"{r['worker_cpu_ms_per_broadcast']:.1f} ms/broadcast | {cpu_line(used)}, after waiting {waited:.0f} s "
              f"for a quiet machine"
              + (f" | errors {r['errors']}" if r["errors"] else ""), flush=True)
        settle(server.workers())
        return r

    # --- 2 and 4. violations --------------------------------------------------------------------

    def violations(self, students_server, dashboard_server, label, burst, run):
        a = self.args
        tag = f"v{run}{label}{burst}"
        dashboard = self.client("proctor", self.proctor_plan(dashboard_server, "watch", tag), f"{tag}-dashboard")
        dashboard.expect("READY", 60)
        students, ready = self.open_students(
            students_server, a.students, "violations", tag, heartbeat_s=a.heartbeat, duration_s=a.duration,
            burst_every_s=a.burst_every, burst_size=burst, seed=run)
        servers = list({id(s): s for s in (students_server, dashboard_server)}.values())
        settle([pid for s in servers for pid in s.workers()])
        waited = wait_for_quiet(a.quiet_wait)
        cpu = self.window(servers, [students, dashboard])
        dashboard.tell("GO")
        students.tell("GO")
        sent_count = int(students.expect("DONE", a.duration + 90))
        used = cpu.end()
        dashboard.tell("EXPECT", sent_count, 15)
        dashboard.expect("DONE", 30)
        got, seen = students.finish(), dashboard.finish()
        self.clients = []
        with self.engine.connect() as conn:
            stored = dict(conn.execute(sa.text(
                "select client_id, id from proctor_events where kind = 'violation' and client_id like :tag"),
                {"tag": f"{tag}-%"}).all())
        sent = got["violations"]
        acked = {v: s for v, s in sent.items() if s["acked"] is not None}
        on_dashboard = {v: e for v, e in seen["events"].items() if v in sent}
        consistent = sum(1 for v in sent if v in acked and v in on_dashboard and v in stored
                         and acked[v]["event_id"] == on_dashboard[v]["event_id"] == stored[v])
        latencies = sorted(e["seen"] - sent[v]["sent"] for v, e in on_dashboard.items())
        acks = sorted(s["acked"] - s["sent"] for s in acked.values())
        r = {"label": label, "sockets": ready["connected"], "sent": len(sent), "acked": len(acked),
             "in_db": len(set(sent) & set(stored)), "on_dashboard": len(on_dashboard), "consistent": consistent,
             "p50_ms": 1000 * scenario.percentile(latencies, 50), "p99_ms": 1000 * scenario.percentile(latencies, 99),
             "max_ms": 1000 * (latencies[-1] if latencies else float("nan")),
             "ack_p50_ms": 1000 * scenario.percentile(acks, 50), "ack_p99_ms": 1000 * scenario.percentile(acks, 99),
             "rate_per_s": len(sent) / a.duration, "heartbeats_per_s": got["heartbeats"] / a.duration,
             "presence_msgs": seen["counts"].get("presence", 0),
             "errors": {**got["errors"], **seen["errors"]}, "cpu": used, "waited_s": waited}
        print(f"[run] violations {label}, bursts of {burst} (run {run}): {r['sockets']} students, "
              f"{r['heartbeats_per_s']:.0f} heartbeats/s, {r['sent']} violations sent ({r['rate_per_s']:.0f}/s): "
              f"acked {r['acked']}, in DB "
              f"{r['in_db']}, on dashboard "
              f"{r['on_dashboard']}, same event id everywhere {r['consistent']} | violation -> dashboard p50 "
              f"{r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.0f} ms; -> ack p50 "
              f"{r['ack_p50_ms']:.1f} ms, p99 {r['ack_p99_ms']:.1f} ms | {cpu_line(used)}, after waiting "
              f"{waited:.0f} s for a quiet machine"
              + (f" | errors {r['errors']}" if r["errors"] else ""), flush=True)
        settle([pid for s in servers for pid in s.workers()])
        return r


class CpuWindow:
    """CPU seconds used between construction and end(): by group of PIDs, by PostgreSQL's backends of the
    benchmark's database, by every other process on the machine, and by the kernel outside any process
    (softirq: loopback networking, mostly) and the hypervisor (steal)."""

    def __init__(self, engine, groups):
        self.engine = engine
        self.groups = groups
        self.wall = time.monotonic()
        self.started = time.strftime("%H:%M:%S")
        self.machine = scenario.machine_times()
        self.pids = {pid: scenario.cpu_seconds(pid) for pids in groups.values() for pid in pids}
        self.pg = {pid: scenario.cpu_seconds(pid) for pid in scenario.pg_backends(engine)}

    def end(self):
        used = {name: sum(scenario.cpu_seconds(pid) - self.pids[pid] for pid in pids)
                for name, pids in self.groups.items()}
        used["postgres"] = sum(scenario.cpu_seconds(pid) - self.pg.get(pid, 0.0)
                               for pid in scenario.pg_backends(self.engine))
        machine = {k: v - self.machine[k] for k, v in scenario.machine_times().items()}
        used["others"] = max(0.0, machine["user"] + machine["nice"] + machine["system"] - sum(used.values()))
        used["softirq"] = machine["irq"] + machine["softirq"]
        used["steal"] = machine["steal"]
        used["seconds"] = time.monotonic() - self.wall
        used["started"] = self.started
        return used


def cpu_line(used):
    return "CPU s: " + ", ".join(f"{k} {v:.1f}" for k, v in used.items() if k not in ("seconds", "started")) + \
        f" (of {used['seconds']:.1f} s wall from {used['started']})"


def settle(pids, quiet=0.05, window=0.5, max_s=60):
    """Wait until these processes are nearly idle (less than `quiet` of a core over `window` s), so one
    measurement's aftermath (e.g. 2,000 sockets closing) does not run into the next."""
    deadline = time.monotonic() + max_s
    while time.monotonic() < deadline:
        before = sum(scenario.cpu_seconds(pid) for pid in pids)
        time.sleep(window)
        if sum(scenario.cpu_seconds(pid) for pid in pids) - before < quiet * window:
            return


def wait_for_quiet(max_s, quiet=0.25, window=2.0):
    """On a shared machine: wait up to `max_s` for everything else to use less than `quiet` of a core over
    `window` s (call it once this benchmark's own processes are idle); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < max_s:
        before = scenario.machine_busy_seconds()
        time.sleep(window)
        if scenario.machine_busy_seconds() - before < quiet * window:
            break
    return time.monotonic() - started


def start_redis(workdir):
    port = scenario.free_port()
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=open(Path(workdir) / "redis.log", "w"), stderr=subprocess.STDOUT, preexec_fn=scenario.die_with_parent)
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG":
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.1)
    return process, f"redis://127.0.0.1:{port}/0"


def med(runs, key):
    values = [r[key] for r in runs]
    return statistics.median(values), min(values), max(values)


def fmt(runs, key, unit=" ms"):
    m, lo, hi = med(runs, key)
    return f"{m:.1f}{unit} ({lo:.1f}-{hi:.1f})" if len(runs) > 1 else f"{m:.1f}{unit}"


def others(runs):
    return statistics.median(r["cpu"]["others"] / r["cpu"]["seconds"] for r in runs)


def report(args, results):
    print(f"\n== live proctoring: medians of {args.runs} run(s) (min-max); client, gunicorn, PostgreSQL and Redis "
          f"share the same {os.cpu_count()} cores ==")
    print(f"targets: {TARGETS}")
    if "memory" in results:
        for r in results["memory"]:
            print(f"memory per idle student socket, {r['label']}: {r['kb_per_socket']:.1f} KB ({r['sockets']} "
                  f"sockets; worker RSS {r['before_mb']:.0f} -> {r['after_mb']:.0f} MB)")
    for n in args.sizes:
        ours, bare = results.get(("broadcast", n, "tool")), results.get(("broadcast", n, "bare"))
        if not ours or not bare:
            continue
        for label, runs in (("bare floor", bare), ("tool", ours)):
            print(f"broadcast to {n}, {label}: delivered {min(r['delivered_pct'] for r in runs):.1f}% (worst run); "
                  f"p50 {fmt(runs, 'p50_ms')}; p99 {fmt(runs, 'p99_ms')}; last socket {fmt(runs, 'last_ms')}; "
                  f"worker CPU {fmt(runs, 'worker_cpu_ms_per_broadcast')}/broadcast; other processes "
                  f"{others(runs):.2f} cores")
        print(f"broadcast to {n}: tool / floor p50 {med(ours, 'p50_ms')[0] / med(bare, 'p50_ms')[0]:.2f}x, "
              f"p99 {med(ours, 'p99_ms')[0] / med(bare, 'p99_ms')[0]:.2f}x (target <= 1.3x)")
    for burst in args.bursts:
        violation_summary(args, results, burst)
    print(f"Rerun: .venv/bin/python bench/proctor_room.py {' '.join(sys.argv[1:])}")


def violation_summary(args, results, burst):
    for label in ("bare floor", "one worker", "two workers + Redis"):
        runs = results.get(("violations", label, burst))
        if not runs:
            continue
        sent = sum(r["sent"] for r in runs)
        print(f"violations in bursts of {burst} every {args.burst_every:g} s, {label}: {sent} sent in {len(runs)} "
              f"run(s); acked {sum(r['acked'] for r in runs)}, "
              f"in DB {sum(r['in_db'] for r in runs)}, on dashboard {sum(r['on_dashboard'] for r in runs)}, "
              f"consistent {sum(r['consistent'] for r in runs)}; violation -> dashboard p50 {fmt(runs, 'p50_ms')}, "
              f"p99 {fmt(runs, 'p99_ms')}; -> ack p99 {fmt(runs, 'ack_p99_ms')}; {med(runs, 'rate_per_s')[0]:.0f} "
              f"violations/s; worker CPU "
              f"{statistics.median(r['cpu']['workers'] / r['cpu']['seconds'] for r in runs):.2f} cores; "
              f"other processes {others(runs):.2f} cores")
    one = results.get(("violations", "one worker", burst))
    two = results.get(("violations", "two workers + Redis", burst))
    bare = results.get(("violations", "bare floor", burst))
    if one and bare:
        print(f"bursts of {burst}: one worker / bare floor p99 {med(one, 'p99_ms')[0] / med(bare, 'p99_ms')[0]:.2f}x "
              f"(target <= 2x)")
    if one and two:
        print(f"bursts of {burst}: cross-worker p99 - one-worker p99: "
              f"{med(two, 'p99_ms')[0] - med(one, 'p99_ms')[0]:+.1f} ms (target <= +25 ms)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--parts", default="memory,broadcast,violations,cross",
                   help="comma-separated: memory, broadcast, violations (one worker), cross (two workers + Redis)")
    p.add_argument("--sizes", default="250,1000,2000", help="broadcast audiences (student sockets)")
    p.add_argument("--students", type=int, default=2000, help="students seeded; sockets for memory and violations")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--announces", type=int, default=10, help="broadcasts per run")
    p.add_argument("--announce-interval", type=float, default=1.0, help="s between broadcasts")
    p.add_argument("--heartbeat", type=float, default=3.0, help="s between a page's heartbeats (real pages: ~15)")
    p.add_argument("--duration", type=float, default=30.0, help="s of heartbeats and violation bursts per run")
    p.add_argument("--burst-every", type=float, default=5.0, help="s between violation bursts")
    p.add_argument("--bursts", default="25,100",
                   help="comma-separated burst sizes: pages reporting a violation at the same moment")
    p.add_argument("--redis-url", help="use this Redis instead of starting a private redis-server")
    p.add_argument("--quiet-wait", type=float, default=30,
                   help="before each measured run, wait up to this many s for other processes to quieten down")
    p.add_argument("--budget", type=float, default=3600, help="the whole benchmark stops after this many s")
    args = p.parse_args()
    args.parts = set(args.parts.split(","))
    args.sizes = [int(x) for x in args.sizes.split(",")]
    args.bursts = [int(x) for x in args.bursts.split(",")]
    args.students = max(args.students, *args.sizes)
    scenario.install_guards(args.budget)
    open_files = scenario.raise_open_files_limit()
    print(f"[bench] {scenario.machine()}; open files limit {open_files}; client, gunicorn, PostgreSQL and Redis "
          f"share these cores")
    print(f"[bench] command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    secret = "bench-" + secrets.token_hex(24)
    results = {}
    servers, redis = [], None
    with tempfile.TemporaryDirectory(prefix="bench-proctor-") as workdir, scenario.fresh_postgres() as url:
        scenario.migrate(url)
        engine = scenario.engine_for(url)
        now = scenario._now()
        seeded = scenario.seed_exam(engine, students=args.students, questions=5, deadline=now + timedelta(hours=6),
                                    started_at=now, test_maker=True)
        bench = Bench(args, workdir, url, engine, seeded, secret)

        def server(name, app="wsgi:app", **env):
            # One worker holds every socket of the run: a room larger than the default 4,000 needs the setting. All
            # the clients are one address, whose thousands of simultaneous handshakes the slowloris guard would cut
            # at 64 (real pages reconnect after it; these clients do not).
            connections = str(max(4000, args.students + max(args.sizes) + 500))
            s = scenario.Server(url, 1, secret, workdir, app=app, name=name, env={
                "TOOL_BASE_URL": ISSUER, "WORKER_CONNECTIONS": connections, "PENDING_HEADS_PER_ADDRESS": connections,
                **env})
            servers.append(s)
            return s

        try:
            tool = server("tool")
            if args.parts & {"memory", "broadcast", "violations"}:
                bare = server("bare", app="bare_broadcast_app:app", PYTHONPATH=str(BENCH))
            if "memory" in args.parts:
                results["memory"] = [bench.memory(bare, "bare floor", args.students),
                                     bench.memory(tool, "tool", args.students)]
            if "broadcast" in args.parts:
                for n in args.sizes:
                    for run in range(1, args.runs + 1):
                        for label, target in (("bare", bare), ("tool", tool)):
                            results.setdefault(("broadcast", n, label), []).append(
                                bench.broadcast(target, label, n, run))
            if "cross" in args.parts:
                if args.redis_url:
                    redis_url = args.redis_url
                else:
                    redis, redis_url = start_redis(workdir)
                    bench.redis_pid = redis.pid
                host_a, host_b = server("host-a", REDIS_URL=redis_url), server("host-b", REDIS_URL=redis_url)
            for run in range(1, args.runs + 1):
                for burst in args.bursts:
                    if "violations" in args.parts:
                        results.setdefault(("violations", "bare floor", burst), []).append(
                            bench.violations(bare, bare, "bare", burst, run))
                        results.setdefault(("violations", "one worker", burst), []).append(
                            bench.violations(tool, tool, "one", burst, run))
                    if "cross" in args.parts:
                        results.setdefault(("violations", "two workers + Redis", burst), []).append(
                            bench.violations(host_a, host_b, "two", burst, run))
        finally:
            bench.stop_clients()
            for s in servers:
                s.stop()
                errors = s.error_lines()
                if errors:
                    print(f"[bench] {s.log_path.name}: {len(errors)} error lines, e.g. {errors[:3]}")
                warnings = [ln for ln in s.log_path.read_text().splitlines() if "WARNING" in ln]
                if warnings:
                    print(f"[bench] {s.log_path.name}: {len(warnings)} warnings, e.g. {warnings[:3]}")
            if redis is not None:
                redis.terminate()
                redis.wait(timeout=10)
            engine.dispose()
    report(args, results)


if __name__ == "__main__":
    main()
