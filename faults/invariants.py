"""The invariants read from the database after a fault: acknowledged answers and violations are on record,
every attempt that ended did so completely (status, grade, its one outbox row, its audit rows)."""

from collections import Counter

import sqlalchemy as sa


def acknowledged_answers(engine, students):
    """Every (attempt, question) whose save was acknowledged holds the last acknowledged choice.
    Returns a dict of figures; `lost` is the number missing or different."""
    stored = {}
    with engine.connect() as conn:
        for attempt_id, question_id, option_ids in conn.execute(
                sa.text("select attempt_id, question_id, option_ids from answers")):
            stored[(attempt_id, question_id)] = sorted(option_ids)
    keys = missing = differing = 0
    for student in students:
        for qid, chosen in student["acked"].items():
            keys += 1
            value = stored.get((student["attempt"], int(qid)))
            if value is None:
                missing += 1
            elif value != sorted(chosen):
                differing += 1
    return {"keys": keys, "missing": missing, "differing": differing, "lost": missing + differing,
            "saves_acked": sum(s["saves_ok"] for s in students)}


def violations(engine, students):
    """Every violation the server acknowledged is a row of its attempt, with the id the ack named; and every
    violation a page reported while its attempt was open is on record, acknowledged or not (a page resends
    what was not acknowledged after each reconnect). `lost` counts both kinds of miss."""
    with engine.connect() as conn:
        rows = {client_id: (attempt_id, event_id) for client_id, attempt_id, event_id in conn.execute(sa.text(
            "select client_id, attempt_id, id from proctor_events where kind = 'violation'"))}
        finished = {a: f.timestamp() if f else None for a, f in conn.execute(sa.text(
            "select id, finished_at from attempts"))}
    acked = missing = wrong = unacked = unrecorded = 0
    for student in students:
        for client_id, (_, event_id) in student["violations_acked"].items():
            acked += 1
            row = rows.get(client_id)
            if row is None:
                missing += 1
            elif row != (student["attempt"], event_id):
                wrong += 1
        ended = finished.get(student["attempt"])
        for client_id, sent in student["unacked"].items():
            unacked += 1
            if client_id not in rows and (ended is None or sent < ended - 1.0):
                unrecorded += 1
    return {"acked": acked, "missing": missing, "wrong": wrong, "unacked": unacked, "unrecorded": unrecorded,
            "lost": missing + wrong + unrecorded, "recorded": len(rows)}


def violation_figures(v):
    return (f"{v['acked']} violations acked: {v['missing']} missing, {v['wrong']} on the wrong attempt; reported but "
            f"never acked {v['unacked']}, of which sent while the attempt was open and not on record "
            f"{v['unrecorded']}")


def endings(engine, exam_id):
    """Per attempt of the exam: final or not; for each final one exactly one outbox row carrying its
    score, one audit row for its final transition and one for its grade. Returns figures and problems."""
    with engine.connect() as conn:
        attempts = conn.execute(sa.text(
            "select id, status, score, finished_at, deadline from attempts where exam_id = :e"), {"e": exam_id}).all()
        outbox = Counter()
        outbox_score = {}
        for attempt_id, score in conn.execute(sa.text(
                "select o.attempt_id, o.score_given from grade_outbox o join attempts a on a.id = o.attempt_id"
                " where a.exam_id = :e"), {"e": exam_id}):
            outbox[attempt_id] += 1
            outbox_score[attempt_id] = score
        audit = Counter((target_id, action) for target_id, action in conn.execute(sa.text(
            "select target_id, action from audit_log where target_type = 'attempt'")))
    statuses = Counter(status for _, status, *_ in attempts)
    problems = []
    for attempt_id, status, score, finished_at, _ in attempts:
        if status in ("in_progress", "paused"):
            if outbox[attempt_id]:
                problems.append(f"attempt {attempt_id} is {status} but has an outbox row")
            continue
        key = str(attempt_id)
        if outbox[attempt_id] != 1:
            problems.append(f"attempt {attempt_id} ({status}) has {outbox[attempt_id]} outbox rows")
        elif outbox_score[attempt_id] != score:
            problems.append(f"attempt {attempt_id}: outbox score {outbox_score[attempt_id]} != attempt score {score}")
        if audit[(key, f"attempt.{status}")] != 1:
            problems.append(f"attempt {attempt_id}: {audit[(key, f'attempt.{status}')]} audit rows attempt.{status}")
        if audit[(key, "attempt.graded")] != 1:
            problems.append(f"attempt {attempt_id}: {audit[(key, 'attempt.graded')]} audit rows attempt.graded")
        if finished_at is None or score is None:
            problems.append(f"attempt {attempt_id} ({status}) has no finish time or score")
    final = sum(n for s, n in statuses.items() if s not in ("in_progress", "paused"))
    return {"attempts": len(attempts), "statuses": dict(statuses), "final": final,
            "outbox_rows": sum(outbox.values()), "problems": problems}


def audit_times(engine, action):
    """{attempt id: epoch of its audit row `action`} (when the change was written)."""
    with engine.connect() as conn:
        return {int(t): at.timestamp() for t, at in conn.execute(sa.text(
            "select target_id, at from audit_log where action = :a and target_type = 'attempt'"), {"a": action})}
