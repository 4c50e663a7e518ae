"""d. PostgreSQL restarted mid-exam.

Two gevent workers (Redis bus), students saving answers, heartbeating and reporting violations. Twelve
seconds in, the suite's own PostgreSQL cluster is stopped with `pg_ctl stop -m fast` (open transactions are
aborted, connections cut), left down for 5 s and started again; a quarter of the students press submit one
second into the gap. The deadline comes ~30 s after the restart, so the sweeper ends the rest. Invariants:
requests during the gap fail cleanly (a 5xx with a JSON error, answered at once, never a hang up to the
client's 20 s timeout), the clients' retries succeed after the restart, and nothing is half-written
(acknowledged answers and violations on record, every attempt final with its grade, exactly one outbox row
and its audit rows)."""

import time

from faults import exam_day, invariants
from faults.report import FaultResult, ms, secs
from faults.stage import Stage

KEY = "d"
TITLE = "PostgreSQL restarted mid-exam"
STOP_AFTER = 12.0
DOWN = 5.0
DEADLINE_AFTER = STOP_AFTER + DOWN + 25.0
RUN_FOR = DEADLINE_AFTER + 20.0
AFTERMATH = 10.0  # failures this soon after the restart still belong to it (stale pooled connections)
CLIENT_TIMEOUT = 20.0  # how long a client waits for an answer (faults/clients.py, as the exam page)
RETRY_LIMIT = 15.0  # the page's save queue backs off 1, 2, 4, 8 s: back within two tries of the restart


def run(suite, students=80, down=DOWN):
    result = FaultResult(KEY, TITLE)
    with Stage(suite, KEY, workers=2, redis=True) as stage:
        engine, server = stage.engine, stage.server
        day = exam_day.seed(engine, students=students, deadlines=exam_day.in_seconds(3600))
        submitters = list(range(0, students, 4))
        plan = exam_day.client_plan(day, server, until=time.time() + 60 + RUN_FOR, run_for=RUN_FOR, save_every=1.5,
                                    heartbeat_every=5.0, violation_every=8.0, submitters=submitters,
                                    submit_after=STOP_AFTER + 1.0)  # one second into the gap
        clients = stage.start_clients(plan)
        ready_at, connected = clients.wait_ready()
        deadline = exam_day.set_deadline(engine, day["exam_id"], ready_at + DEADLINE_AFTER)
        time.sleep(max(0.0, ready_at + STOP_AFTER - time.time()))
        stopped_at, started_at = suite.cluster.restart(down_seconds=down)
        outcome = clients.result()
        engine.dispose()  # our own pool's connections died with the restart too
        result.note(f"{students} students ({connected} sockets in), {len(submitters)} of them submitting 1 s into "
                    f"the gap; PostgreSQL stopped (fast) and down {started_at - stopped_at:.1f} s; deadline "
                    f"{deadline - started_at:.0f} s after the restart")
        _check_clean_failures(result, outcome["students"], stopped_at, started_at)
        _check_retries(result, outcome["students"], started_at, set(submitters))
        _check_consistent(result, engine, day, outcome["students"])
        result.note(f"server log: {len(server.log_lines('Traceback'))} tracebacks, "
                    f"{len(server.log_lines('background job'))} background job failures logged")
    return result


def _check_clean_failures(result, students, stopped_at, started_at):
    window = (stopped_at - 1.0, started_at + AFTERMATH)
    inside, outside, kinds, unclear, slowest = 0, 0, {}, 0, 0.0
    for s in students:
        for failure in s["failures"]:
            if not window[0] <= failure["t"] <= window[1]:
                outside += 1
                continue
            inside += 1
            name = f"HTTP {failure['status']} {failure['code']}" if failure["status"] else failure["kind"]
            kinds[name] = kinds.get(name, 0) + 1
            if failure["status"] is None or not failure["json"]:
                unclear += 1
            slowest = max(slowest, failure["latency"])
    socket_errors = sum(v for s in students for k, v in s["errors"].items() if k.startswith("socket error"))
    result.check(
        "requests during the gap fail cleanly (a 5xx JSON error at once, no hang)",
        inside > 0 and unclear == 0 and outside == 0 and slowest < CLIENT_TIMEOUT / 4,
        f"{inside} failed requests around the gap: {kinds}; without a JSON error body: {unclear}; slowest failure "
        f"answered in {ms(slowest)} (client timeout {CLIENT_TIMEOUT:.0f} s); failures outside the gap: {outside}; "
        f"socket error frames: {socket_errors}")


def _check_retries(result, students, started_at, submitters):
    recovered, open_outages, back_after = 0, 0, []
    for s in students:
        outages = s["save_outages"]
        ends = [back for failed, back in outages if back >= started_at - 1]
        if ends:
            recovered += 1
            back_after.append(max(ends) - started_at)
        failed_saves = sum(1 for f in s["failures"] if f["t"] >= started_at - 30)
        if failed_saves and not ends:
            open_outages += 1
    submitted = [s["submit"] for s in students if s["index"] in submitters]
    submit_ok = sum(1 for x in submitted if x and x["status"] == "submitted")
    submit_retried = sum(1 for x in submitted if x and x["failures"])
    result.check(
        "the clients' retries succeed after the restart",
        recovered > 0 and open_outages == 0 and max(back_after, default=0) <= RETRY_LIMIT
        and submit_ok == len(submitters),
        f"{recovered} students' saves failed and then went through, the last {secs(max(back_after, default=None))} "
        f"after the restart; students still failing at the end: {open_outages}; submits pressed in the gap: "
        f"{submit_ok}/{len(submitters)} submitted ({submit_retried} needed retries)")


def _check_consistent(result, engine, day, students):
    answers = invariants.acknowledged_answers(engine, students)
    violations = invariants.violations(engine, students)
    endings = invariants.endings(engine, day["exam_id"])
    result.check(
        "nothing half-written (answers, violations, each attempt final with one outbox row and its audit rows)",
        answers["lost"] == 0 and violations["lost"] == 0
        and endings["final"] == endings["attempts"] and not endings["problems"],
        f"{answers['saves_acked']} saves acked, {answers['lost']} of {answers['keys']} last values lost; "
        f"{invariants.violation_figures(violations)}; attempts {endings['statuses']}; "
        f"{endings['outbox_rows']} outbox rows; problems: {endings['problems'][:3] or 'none'}")
