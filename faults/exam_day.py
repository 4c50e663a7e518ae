"""The exam day every scenario plays: one platform, course, resource link and exam (10 questions x 4 options,
every 4th one multi-answer), students with a Student membership and an attempt in progress, and the course's
test maker (who proctors every exam of the course), written straight into a fresh database; and the launch
tokens their pages would hold, minted as the launch does (lti_tool.identity.tokens)."""

import random
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa

from lti_tool.db import utcnow

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
QUESTIONS = 10
OPTIONS = 4


def _tables():
    from lti_tool import audit  # noqa: F401  (every model module, so every table is known)
    from lti_tool.demo import models as demo_models  # noqa: F401
    from lti_tool.exam import models as exam
    from lti_tool.identity import models as identity
    from lti_tool.launch import models as launch
    from lti_tool.proctor import models as proctor  # noqa: F401

    return exam, identity, launch


def _insert(conn, table, rows):
    """Insert rows; their ids in order."""
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row[0] for row in conn.execute(statement, rows)]


def seed(engine, *, students, deadlines, platform=None, lineitem_url=None, attempts_allowed=1, seed_value=7):
    """Write the exam day. `deadlines` is one deadline per student (a datetime) or a single one for all.
    `platform` is a dict of Platform columns (default: an LMS that is never called). Returns the ids."""
    exam_m, ident_m, launch_m = _tables()
    rng = random.Random(seed_value)
    now = utcnow()
    if not isinstance(deadlines, list):
        deadlines = [deadlines] * students
    platform = platform or dict(name="Faults LMS", issuer="https://lms.faults.invalid", client_id="faults",
                                auth_login_url="https://lms.faults.invalid/auth",
                                token_url="https://lms.faults.invalid/token",
                                jwks_url="https://lms.faults.invalid/jwks")
    with engine.begin() as conn:
        [platform_id] = _insert(conn, launch_m.Platform.__table__, [{"registered_via": "cli", **platform}])
        [course_id] = _insert(conn, ident_m.Course.__table__, [dict(
            platform_id=platform_id, context_id="faults-course", title="Faults course")])
        [exam_id] = _insert(conn, exam_m.Exam.__table__, [dict(
            course_id=course_id, title="Faults exam", instructions="", duration_minutes=60,
            shuffle_questions=False, shuffle_options=False, attempts_allowed=attempts_allowed,
            partial_credit=False, published_at=utcnow())])
        [link_id] = _insert(conn, ident_m.ResourceLink.__table__, [dict(
            course_id=course_id, lti_id="faults-link", title="Faults exam", exam_id=exam_id,
            lineitem_url=lineitem_url)])
        kinds = ["multi" if (i + 1) % 4 == 0 else "single" for i in range(QUESTIONS)]
        question_ids = _insert(conn, exam_m.Question.__table__, [dict(
            exam_id=exam_id, position=i, kind=kinds[i], text=f"Question {i + 1}?", points=1.0)
            for i in range(QUESTIONS)])
        option_rows = []
        for qi, qid in enumerate(question_ids):
            correct = set(rng.sample(range(OPTIONS), 2 if kinds[qi] == "multi" else 1))
            option_rows += [dict(question_id=qid, position=j, text=f"Option {j + 1}", is_correct=j in correct)
                            for j in range(OPTIONS)]
        option_ids = _insert(conn, exam_m.Option.__table__, option_rows)
        options_of = {qid: option_ids[i * OPTIONS:(i + 1) * OPTIONS] for i, qid in enumerate(question_ids)}
        user_ids = _insert(conn, ident_m.User.__table__, [dict(
            platform_id=platform_id, sub=f"student-{i}", name=f"Student {i}", email=f"s{i}@faults.invalid")
            for i in range(students)])
        _insert(conn, ident_m.Membership.__table__, [dict(
            user_id=u, course_id=course_id, roles=["student"], lti_roles=[LEARNER]) for u in user_ids])
        [maker_id] = _insert(conn, ident_m.User.__table__, [dict(
            platform_id=platform_id, sub="test-maker", name="Test maker", email="maker@faults.invalid")])
        _insert(conn, ident_m.Membership.__table__, [dict(
            user_id=maker_id, course_id=course_id, roles=["test_maker"], lti_roles=[INSTRUCTOR])])
        attempt_ids = _insert(conn, exam_m.Attempt.__table__, [dict(
            exam_id=exam_id, user_id=u, resource_link_id=link_id, number=1, status="in_progress",
            started_at=now, deadline=deadline, check_at=deadline, question_order=list(question_ids),
            option_order={str(q): options_of[q] for q in question_ids}, position=0)
            for u, deadline in zip(user_ids, deadlines, strict=True)])
    return dict(platform_id=platform_id, course_id=course_id, exam_id=exam_id, link_id=link_id,
                question_ids=question_ids, options_of=options_of, kinds=dict(zip(question_ids, kinds, strict=True)),
                user_ids=user_ids, attempt_ids=attempt_ids, maker_id=maker_id)


def launch_token(day, user_id, roles, *, secret, issuer, ttl=3 * 3600):
    from lti_tool.identity import tokens

    context = tokens.LaunchContext(user_id=user_id, course_id=day["course_id"], resource_link_id=day["link_id"],
                                   roles=tuple(roles), launch_id=secrets.token_hex(8), launched_at=int(time.time()))
    return tokens.issue(context, secret_key=secret, issuer=issuer, ttl=ttl)


def client_plan(day, server, **settings):
    """What the client process needs: the server, the students (attempt, token, questions) and the test
    maker's token for the dashboards, plus the scenario's `settings`."""
    students = [{
        "index": i, "attempt": attempt_id,
        "token": launch_token(day, user_id, ("student",), secret=server.secret, issuer=server.base),
        "questions": {str(q): day["options_of"][q] for q in day["question_ids"]},
        "kinds": {str(q): day["kinds"][q] for q in day["question_ids"]},
    } for i, (user_id, attempt_id) in enumerate(zip(day["user_ids"], day["attempt_ids"], strict=True))]
    maker = launch_token(day, day["maker_id"], ("test_maker",), secret=server.secret, issuer=server.base)
    # The students save as the exam page does: over its socket while connected, else the PUT.
    return {"host": "127.0.0.1", "port": server.port, "exam_id": day["exam_id"], "students": students,
            "maker_token": maker, "saves_over_socket": True, **settings}


def in_seconds(seconds):
    return utcnow() + timedelta(seconds=seconds)


def set_deadline(engine, exam_id, epoch, attempt_ids=None):
    """Move the deadline of the exam's open attempts (or of `attempt_ids`) to `epoch`, as the seed would have
    written it, so the scenario's clock can start once the clients are in. Returns `epoch`."""
    from datetime import datetime, timezone

    when = datetime.fromtimestamp(epoch, timezone.utc)
    query = "update attempts set deadline = :d, check_at = :d where exam_id = :e and status = 'in_progress'"
    params = {"d": when, "e": exam_id}
    if attempt_ids is not None:
        query += " and id = any(:ids)"
        params["ids"] = list(attempt_ids)
    with engine.begin() as conn:
        conn.execute(sa.text(query), params)
    return epoch
