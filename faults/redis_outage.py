"""b. Redis stopped for 60 s and restarted.

Two gevent workers with REDIS_URL pointing at the suite's own redis-server; students save answers, heartbeat
and report a violation every ~5 s; four dashboards watch. Ten seconds in, redis-server is stopped (by its
PID) and started again on the same port 60 s later. Half the students' deadline falls inside the outage, the
other half's after it. Invariants: saves and timers go on without Redis (saves succeed, heartbeats are
answered, the sweeper ends the attempts whose deadline passes, late saves are refused); every dashboard gets
a roster after the reconnect that counts every violation acknowledged before it; no violation is missing
from the database."""

import time

from faults import exam_day, invariants
from faults.report import FaultResult, ms, percentile, secs
from faults.stage import Stage

KEY = "b"
TITLE = "Redis stopped for 60 s and restarted"
STOP_AFTER = 10.0
OUTAGE = 60.0
EARLY_DEADLINE = STOP_AFTER + 25.0  # inside the outage
LATE_DEADLINE = STOP_AFTER + OUTAGE + 8.0  # after it
RUN_FOR = LATE_DEADLINE + 15.0
GRACE = 5.0
CATCH_UP_LIMIT = 15.0  # the bus resubscribes with backoff capped at 10 s
DASHBOARDS = 4


def run(suite, students=60, outage=OUTAGE):
    result = FaultResult(KEY, TITLE)
    with Stage(suite, KEY, workers=2, redis=True) as stage:
        engine, server, redis = stage.engine, stage.server, stage.redis
        day = exam_day.seed(engine, students=students, deadlines=exam_day.in_seconds(3600))
        plan = exam_day.client_plan(day, server, until=time.time() + 60 + RUN_FOR, run_for=RUN_FOR, save_every=2.0,
                                    heartbeat_every=5.0, violation_every=5.0, dashboards=DASHBOARDS)
        clients = stage.start_clients(plan)
        ready_at, connected = clients.wait_ready()
        early = day["attempt_ids"][: students // 2]
        late = day["attempt_ids"][students // 2:]
        early_deadline = exam_day.set_deadline(engine, day["exam_id"], ready_at + EARLY_DEADLINE, early)
        exam_day.set_deadline(engine, day["exam_id"], ready_at + LATE_DEADLINE, late)
        time.sleep(max(0.0, ready_at + STOP_AFTER - time.time()))
        stopped_at, started_at = redis.restart_after(outage)
        outcome = clients.result()
        result.note(f"{students} students ({connected} sockets in), {DASHBOARDS} dashboards; redis-server down "
                    f"{started_at - stopped_at:.1f} s; deadline of {len(early)} attempts inside the outage, of "
                    f"{len(late)} after it")
        window = (stopped_at, started_at)
        _check_exam_goes_on(result, engine, day, outcome["students"], window, set(early), early_deadline)
        _check_dashboards(result, outcome, window, set(early))
        violations = invariants.violations(engine, outcome["students"])
        during = sum(1 for s in outcome["students"] for t, _ in s["violations_acked"].values() if _inside(t, window))
        result.check(
            "no violation missing from the record",
            violations["lost"] == 0 and during > 0,
            f"{invariants.violation_figures(violations)}; {during} acked during the outage; "
            f"{violations['recorded']} rows in proctor_events")
        result.note(f"server log: {len(server.log_lines('Traceback'))} tracebacks, "
                    f"{len(server.log_lines('bus: publish'))} failed publishes logged, "
                    f"{len(server.log_lines('bus: lost the Redis subscription'))} lost subscriptions logged")
    return result


def _inside(t, window):
    return window[0] <= t <= window[1]


def _check_exam_goes_on(result, engine, day, students, window, early, early_deadline):
    saves_ok, latencies, failed = 0, [], 0
    heard = 0
    for s in students:
        for t, latency, status in s["save_log"]:
            if _inside(t, window):
                if status == 200:
                    saves_ok += 1
                    latencies.append(latency)
                elif status != 409:
                    failed += 1
        heard += any(_inside(t, window) for t in s["time_messages"])
    ended = invariants.audit_times(engine, "attempt.timed_out")
    early_ended_inside = sum(1 for a in early if a in ended and _inside(ended[a], window))
    refused_late = sum(1 for s in students if s["attempt"] in early and any(
        t > early_deadline + GRACE for t, _ in s["refusals"]))
    endings = invariants.endings(engine, day["exam_id"])
    result.check(
        "saves and timers go on without Redis",
        saves_ok > 0 and failed == 0 and heard == len(students) and early_ended_inside == len(early)
        and not endings["problems"],
        f"during the outage {saves_ok} saves acked (p50 {ms(percentile(latencies, 50))}, p99 "
        f"{ms(percentile(latencies, 99))}), {failed} failed; {heard}/{len(students)} pages got 'time' answers to "
        f"heartbeats; the sweeper ended {early_ended_inside}/{len(early)} attempts due inside the outage, "
        f"inside it; {refused_late} of their students were refused a save after the deadline; at the end "
        f"{endings['statuses']}, problems: {endings['problems'][:3] or 'none'}")


def _check_dashboards(result, outcome, window, early):
    students = outcome["students"]
    acked_before = {}
    for s in students:
        acked_before[str(s["attempt"])] = [t for t, _ in s["violations_acked"].values()]
    catch_up, short, live_during = [], 0, 0
    for d in outcome["dashboards"]:
        live_during += sum(1 for t, *_ in d["violations"] if _inside(t, window))
        after = [r for r in d["rosters"] if r[0] > window[1]]
        if not after:
            catch_up.append(None)
            continue
        received, counts, _ = after[0]
        catch_up.append(received - window[1])
        for attempt, times in acked_before.items():
            if counts.get(attempt, 0) < sum(1 for t in times if t < window[1]):
                short += 1
    ok = [c for c in catch_up if c is not None]
    pages_told = [s["final_message"][0] - window[1] for s in students
                  if s["attempt"] in early and s["final_message"] and s["final_message"][0] > window[1]]
    result.check(
        "dashboards catch up after Redis returns (a roster counting every violation acked during the outage)",
        len(ok) == len(catch_up) and short == 0 and max(ok, default=99) <= CATCH_UP_LIMIT,
        f"{len(ok)}/{len(catch_up)} dashboards got a roster {', '.join(secs(c) for c in ok)} after the restart; "
        f"attempts whose count there missed a violation acked before the restart: {short}; live violation events "
        f"during the outage: {live_during} (pub/sub carries none; the roster is the catch-up); "
        f"{len(pages_told)}/{len(early)} pages whose attempt ended inside the outage told 'ended' after it (latest "
        f"{secs(max(pages_told, default=None))})")
