"""a. kill -9 one of two gunicorn workers mid-exam.

Two gevent workers (as deployed, Redis bus), students saving answers over keep-alive HTTP and connected on
/ws/student (heartbeats, a violation every ~10 s). Once everyone is in, the worker holding more sockets is
killed with SIGKILL; gunicorn starts a new one. The exam's deadline comes ~40 s later and nobody submits,
so the sweeper must end every attempt. Invariants: the cut-off clients reconnect and resume within 5 s, no
acknowledged answer or violation is lost, and the sweeper ends every attempt completely (timed out, graded,
one outbox row, audit rows)."""

import time

from faults import exam_day, invariants
from faults.processes import open_files
from faults.report import FaultResult, median, secs
from faults.stage import Stage

KEY = "a"
TITLE = "kill -9 one of two gunicorn workers mid-exam"
RESUME_LIMIT = 5.0
KILL_AFTER = 12.0
DEADLINE_AFTER = 40.0
GRACE = 5.0  # ANSWER_GRACE_SECONDS
SWEEP_SLACK = 10.0


def run(suite, students=100):
    result = FaultResult(KEY, TITLE)
    with Stage(suite, KEY, workers=2, redis=True) as stage:
        engine, server = stage.engine, stage.server
        day = exam_day.seed(engine, students=students, deadlines=exam_day.in_seconds(3600))
        plan = exam_day.client_plan(day, server, until=time.time() + 60 + DEADLINE_AFTER + 40,
                                    run_for=DEADLINE_AFTER + 40, save_every=2.0, heartbeat_every=5.0,
                                    violation_every=10.0)
        clients = stage.start_clients(plan)
        ready_at, connected = clients.wait_ready()
        deadline = exam_day.set_deadline(engine, day["exam_id"], ready_at + DEADLINE_AFTER)
        time.sleep(max(0.0, ready_at + KILL_AFTER - time.time()))
        workers = server.workers()
        victim = max(workers, key=open_files)
        sockets_on_victim = open_files(victim)
        killed_at = server.kill_worker(victim)
        respawned = server.wait_ready(30, exclude=[victim])
        respawn_seconds = time.time() - killed_at
        outcome = clients.result()
        result.note(f"{students} students, {connected} sockets in; killed worker {victim} holding {sockets_on_victim}"
                    f" file descriptors at +{KILL_AFTER:.0f} s; gunicorn forked a new worker "
                    f"{secs(respawn_seconds) if respawned else 'never'} later")
        _check_resume(result, outcome["students"], killed_at)
        _check_nothing_lost(result, engine, outcome["students"])
        _check_sweeper(result, engine, day, deadline, outcome["students"])
        tracebacks = len(server.log_lines("Traceback"))
        result.note(f"server log: {tracebacks} tracebacks; gunicorn: "
                    f"{'; '.join(line.split('] ', 2)[-1] for line in server.log_lines('SIGKILL')) or 'nothing'}")
    return result


def _check_resume(result, students, killed_at):
    socket_gaps, save_gaps, unresumed, cut = [], [], 0, 0
    for s in students:
        hit = False
        for lost, back in s["socket_outages"]:
            if lost >= killed_at - 0.5:
                socket_gaps.append(back - killed_at)
                hit = True
        for failed, back in s["save_outages"]:
            if failed >= killed_at - 0.5:
                save_gaps.append(back - failed)
                hit = True
        lost_after_kill = [t for t, _ in s["close_codes"] if t >= killed_at - 0.5]
        if lost_after_kill and not any(h > max(lost_after_kill) for h in s["hellos"]) and not s["final_message"]:
            unresumed += 1
        cut += hit
    longest = max(socket_gaps + save_gaps, default=0.0)
    result.check(
        f"clients cut off by the kill reconnect and resume within {RESUME_LIMIT:.0f} s",
        unresumed == 0 and cut > 0 and longest <= RESUME_LIMIT,
        f"{cut} students cut off; sockets back {len(socket_gaps)}x, longest {secs(max(socket_gaps, default=None))} "
        f"after the kill (median {secs(median(socket_gaps))}); saves retried {len(save_gaps)}x, longest "
        f"{secs(max(save_gaps, default=None))} from the failed try to the ack; socket saves sent as the PUT "
        f"{sum(len(s['socket_fallbacks']) for s in students)}x; "
        f"stale keep-alive resent at once {sum(s['stale_retries'] for s in students)}x; never back: {unresumed}")


def _check_nothing_lost(result, engine, students):
    answers = invariants.acknowledged_answers(engine, students)
    violations = invariants.violations(engine, students)
    result.check(
        "no acknowledged answer or violation lost",
        answers["lost"] == 0 and violations["lost"] == 0 and answers["keys"] > 0,
        f"{answers['saves_acked']} saves acked; last acked value of {answers['keys']} (attempt, question) pairs: "
        f"{answers['missing']} missing, {answers['differing']} different; {invariants.violation_figures(violations)}")


def _check_sweeper(result, engine, day, deadline, students):
    endings = invariants.endings(engine, day["exam_id"])
    ended_at = invariants.audit_times(engine, "attempt.timed_out")
    late = [t - deadline for t in ended_at.values()]
    last = max(late, default=None)
    told = sum(1 for s in students if s["final_message"])
    result.check(
        "the sweeper still ends every attempt at its deadline (timed out, graded, one outbox row, audited)",
        endings["statuses"].get("timed_out", 0) == endings["attempts"] and not endings["problems"]
        and last is not None and last <= GRACE + SWEEP_SLACK,
        f"{endings['statuses']} of {endings['attempts']}; {endings['outbox_rows']} outbox rows; last one ended "
        f"{secs(last)} after the deadline (grace {GRACE:.0f} s); {told} pages told 'ended'; "
        f"problems: {endings['problems'][:3] or 'none'}")
