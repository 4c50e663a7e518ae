"""Taking an exam: start or resume an attempt, save answers, submit, and the one finalize function
that every ending goes through (submit, the sweeper, a lazy read, closing the exam, a force close)."""

import logging
import random
from datetime import timedelta

from blinker import Namespace
from flask_babel import gettext, ngettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lti_tool import audit
from lti_tool.db import commit_keeping_loaded, db, upsert, utcnow
from lti_tool.errors import AppError, NotFound
from lti_tool.exam import draws, gradebook, grading, notices, option_sets, proctors, publishing, timer, versions
from lti_tool.exam.lifecycle import FINAL, OPEN, Status, TransitionLost, check_legal, transition
from lti_tool.exam.models import Accommodation, Answer, Attempt, Exam, Question

# The proctoring side's say in a start (proctor/prechecks.py): `starting` may refuse it (the pre-exam check's
# record is wrong, or the camera's consent is missing), `started` keeps the check with the new attempt, in the
# start's own transaction. The exam never imports proctoring.
_signals = Namespace()
starting = _signals.signal("attempt-starting")
started = _signals.signal("attempt-started")

log = logging.getLogger(__name__)

SWEEP_BATCH = 200
NOT_A_STUDENT = ("Only the course's students take this exam. A test maker tries it as they see it with “Preview” "
                 "on the exam list (in the exam's “More” menu once it is published): nothing of a preview is "
                 "recorded.")


class AttemptRefused(AppError):
    code = "attempt_refused"
    title = "The exam cannot be taken now"
    http_status = 409


class SaveRefused(AppError):
    code = "save_refused"
    title = "The answer was not saved"
    http_status = 409


# --- starting -----------------------------------------------------------------------------------

def start_or_resume(exam, user_id, *, resource_link_id, origin, grace_seconds, check=None, now=None):
    """The student's open attempt, or a new one if the exam is open and attempts remain; `check` is what the
    pre-exam check recorded (None from clients that ran none), for the proctoring side to judge and keep."""
    now = now or utcnow()
    current = latest(exam.id, user_id)
    if current is not None:
        current = finalize_if_overdue(current, grace_seconds=grace_seconds, now=now)
        if Status(current.status) in OPEN:
            return current
    if proctors.is_listed(exam.id, user_id):
        raise AttemptRefused(gettext("You are listed as a proctor of this exam, so you cannot take it."),
                             hint=gettext("Open its live room instead, or ask the test maker to take you off its "
                                          "proctors."))
    if not publishing.is_published(exam):
        raise AttemptRefused(gettext("This exam is not open yet."),
                             hint=gettext("Your instructor has not published it yet."))
    if not timer.is_open(exam, now):
        raise AttemptRefused(_closed_reason(exam, now))
    if not draws.has_questions(exam):
        raise AttemptRefused(gettext("This exam has no questions yet."), hint=gettext("Please tell your instructor."))
    used = current.number if current is not None else 0
    if used >= exam.attempts_allowed:
        raise AttemptRefused(ngettext("You have used your attempt at this exam.",
                                      "You have used all %(num)d attempts at this exam.", used))
    starting.send(exam, user_id=user_id, check=check, now=now)
    attempt = _new_attempt(exam, user_id, used + 1, resource_link_id, now)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # The same student started in two tabs at once: the other tab's attempt is theirs.
        return latest(exam.id, user_id)
    started.send(attempt, check=check, origin=origin, now=now)
    audit.record("attempt.started", "attempt", attempt.id, actor_user_id=user_id, course_id=exam.course_id,
                 data={"exam_id": exam.id, "number": attempt.number, "deadline": attempt.deadline.isoformat()},
                 origin=origin)
    notices.attempt_changed(attempt)
    commit_keeping_loaded()
    return attempt


def _closed_reason(exam, now):
    if exam.opens_at is not None and now < exam.opens_at:
        return gettext("This exam opens at %(moment)s (UTC).", moment=exam.opens_at.isoformat(timespec="minutes"))
    return gettext("This exam is closed.")


def _new_attempt(exam, user_id, number, resource_link_id, now):
    accommodation = db.session.scalar(select(Accommodation).filter_by(exam_id=exam.id, user_id=user_id))
    deadline = timer.deadline_for(
        exam, now,
        extra_minutes=accommodation.extra_minutes if accommodation else 0,
        multiplier=accommodation.time_multiplier if accommodation else 1.0,
    )
    return new_attempt(exam, user_id, number, resource_link_id, now, deadline)


def new_attempt(exam, user_id, number, resource_link_id, now, deadline, *, is_preview=False):
    """An attempt row with the questions it drew (exam/draws.py), and theirs and their options' order for this
    attempt (shuffled if the exam says)."""
    shuffler = random.Random()
    questions = _questions_for_new_attempt(exam)
    if exam.shuffle_questions:
        shuffler.shuffle(questions)
    option_order = {}
    for question in questions:
        ids = [o.id for o in question.options]
        if exam.shuffle_options:
            shuffler.shuffle(ids)
        option_order[str(question.id)] = ids
    attempt = Attempt(
        exam_id=exam.id, user_id=user_id, resource_link_id=resource_link_id, number=number,
        status=str(Status.IN_PROGRESS), started_at=now, deadline=deadline, check_at=deadline,
        question_order=[q.id for q in questions], option_order=option_order, position=0, is_preview=is_preview,
    )
    attempt.drawn = {q.id: q for q in questions}
    return attempt


def _questions_for_new_attempt(exam):
    """The questions a new attempt gets, in the exam's order, with their options. With random draws the database
    draws them and only the drawn ones are loaded: a bank of 500 questions costs a start the 20 it drew."""
    if not exam.draws:
        return sorted(questions_of_exam(exam.id).values(), key=lambda q: q.position)
    ids = draws.drawn_ids(exam)
    questions = questions_by_id(ids)
    return [questions[qid] for qid in ids if qid in questions]


def standing(exam, user_id, *, grace_seconds, student=True, now=None):
    """For the lobby: attempts used and allowed, the open attempt if any, and whether one can start (never for a
    launch without the student role: only students take an exam, a test maker previews it)."""
    now = now or utcnow()
    last = latest(exam.id, user_id)
    if last is not None:
        last = finalize_if_overdue(last, grace_seconds=grace_seconds, now=now)
    used = last.number if last is not None else 0
    open_attempt = last if student and last is not None and Status(last.status) in OPEN else None
    can_start = student and open_attempt is None and used < exam.attempts_allowed and _startable(exam, now)
    return {
        "attempts_used": used, "attempts_allowed": exam.attempts_allowed,
        "open_attempt_id": open_attempt.id if open_attempt else None,
        "last_attempt_id": last.id if last is not None else None,
        "can_start": can_start or open_attempt is not None,
        **_why_not_startable(exam, now, student=student, able=can_start or open_attempt is not None),
    }


def _startable(exam, now):
    return publishing.is_published(exam) and timer.is_open(exam, now)


def _why_not_startable(exam, now, *, student, able):
    """{"reason": a code the lobby words in the student's language, "message": the same in English}, or Nones."""
    if able:
        reason, message = None, None
    elif not student:
        reason, message = "not_a_student", NOT_A_STUDENT
    elif not publishing.is_published(exam):
        reason, message = "not_published", publishing.NOT_OPEN
    elif not timer.is_open(exam, now):
        reason = "not_open_yet" if exam.opens_at is not None and now < exam.opens_at else "closed"
        message = _closed_reason(exam, now)
    else:
        reason, message = "no_attempts_left", "You have no attempts left."
    return {"reason": reason, "message": message}


def latest(exam_id, user_id, *, preview=False):
    return db.session.scalar(
        select(Attempt).filter_by(exam_id=exam_id, user_id=user_id, is_preview=preview)
        .order_by(Attempt.number.desc()).limit(1)
    )


def attempt_for_student(attempt_id, user_id, course_id, *, grace_seconds, previews_only=False, now=None):
    """The student's own attempt in this course (anyone else's is 'not found'), finalized if overdue; with
    `previews_only` (a test maker's launch), only their own preview."""
    attempt = db.session.get(Attempt, attempt_id)
    if (attempt is None or attempt.user_id != user_id or attempt.exam.course_id != course_id
            or (previews_only and not attempt.is_preview)):
        raise NotFound(gettext("That attempt does not exist."))
    return finalize_if_overdue(attempt, grace_seconds=grace_seconds, now=now)


# --- answering ----------------------------------------------------------------------------------

def save_answer(attempt_id, question_id, option_ids, *, user_id, course_id, flagged=False, seq=None,
                grace_seconds, now=None):
    """Store the student's choice for one question. Refused, changing nothing, unless the attempt is this
    student's, in this course, in progress and within its deadline plus grace. The common case is four
    statements, Core on the session's connection (no ORM unit of work): stamp the attempt (the stamp's
    conditions are those checks), check the options (read once per worker for a student's attempt,
    exam/option_sets.py), upsert the answer, commit.

    `seq` is the page's order number for its saves. The page resends a save it gave up waiting for, so the
    first copy may still arrive after a later choice for the same question: a save whose `seq` is below the
    stored one changes nothing (it is acknowledged all the same; its page has moved on). Without `seq` the
    save that arrives last wins. Returns (saved_at, applied)."""
    now = now or utcnow()
    chosen = _option_id_list(option_ids)
    seq = _order_number(seq)
    held = _hold_open(attempt_id, user_id, course_id, grace_seconds, now)
    try:
        if held is None:
            _refuse_save(attempt_id, user_id, course_id, grace_seconds, now)
        if question_id not in held.question_order:
            raise SaveRefused("That question is not part of this attempt.")
        check_options(question_id, chosen, frozen=not held.is_preview)
    except AppError:
        db.session.rollback()
        raise
    values = {"option_ids": chosen, "flagged": bool(flagged), "saved_at": now}
    if seq is not None:
        values["seq"] = seq
    applied = upsert(Answer, {"attempt_id": attempt_id, "question_id": question_id, **values},
                     key=("attempt_id", "question_id"), update=values,
                     only_if=None if seq is None else lambda stored, proposed: stored.seq <= proposed.seq)
    db.session.commit()
    return now, applied


def _hold_open(attempt_id, user_id, course_id, grace_seconds, now):
    """Stamp the attempt if it is this student's, in this course, and still taking saves; its question
    order and whether it is a preview, or None. On PostgreSQL the row lock orders this save against a
    concurrent finalize, so an acknowledged answer is always one the grade saw."""
    attempts = Attempt.__table__.c
    return db.session.connection().execute(
        update(Attempt.__table__)
        .where(attempts.id == attempt_id, attempts.user_id == user_id,
               attempts.exam_id.in_(select(Exam.__table__.c.id).where(Exam.__table__.c.course_id == course_id)),
               *taking_saves(grace_seconds, now))
        .values(last_saved_at=now)
        .returning(attempts.question_order, attempts.is_preview)
    ).first()


def taking_saves(grace_seconds, now):
    """The conditions of an attempt that takes saves (check_accepts_saves says why one does not)."""
    attempts = Attempt.__table__.c
    return attempts.status == str(Status.IN_PROGRESS), attempts.deadline >= now - timedelta(seconds=grace_seconds)


def _refuse_save(attempt_id, user_id, course_id, grace_seconds, now):
    """Say why the attempt takes no saves (ending it if it is overdue)."""
    db.session.rollback()
    attempt = attempt_for_student(attempt_id, user_id, course_id, grace_seconds=grace_seconds, now=now)
    check_accepts_saves(attempt, grace_seconds, now)
    raise SaveRefused(gettext("This attempt has just ended; the answer was not saved."))


def check_accepts_saves(attempt, grace_seconds, now):
    status = Status(attempt.status)
    if status is Status.PAUSED:
        raise SaveRefused(gettext("Your exam is paused by the proctor. Your answers are safe; wait to continue."))
    if status in FINAL:
        raise SaveRefused(gettext("This attempt has ended; no more answers can be saved."))
    if not timer.accepts_saves(attempt, now, grace_seconds):
        raise SaveRefused(gettext("Time is up: answers after the deadline are not accepted."))


def _order_number(seq):
    if seq is None:
        return None
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 2**53:
        raise SaveRefused("seq must be a whole number from 0 (the page's order of its saves).")
    return seq


def _option_id_list(option_ids):
    if not isinstance(option_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                   for i in option_ids):
        raise SaveRefused("option_ids must be a list of option ids.")
    return sorted(set(option_ids))


def check_options(question_id, chosen, *, frozen):
    kind, options = option_sets.of(question_id, frozen=frozen)
    if not set(chosen) <= options:
        raise SaveRefused("That option does not belong to this question.")
    if kind == "single" and len(chosen) > 1:
        raise SaveRefused("This question takes one answer.")


def set_position(attempt, position):
    """Remember which question the student is on, so any device resumes there."""
    if Status(attempt.status) in OPEN and 0 <= position < len(attempt.question_order):
        attempt.position = position
        db.session.commit()


def answers_of(attempt_id):
    rows = db.session.scalars(select(Answer).filter_by(attempt_id=attempt_id)).all()
    return {row.question_id: row for row in rows}


# --- ending -------------------------------------------------------------------------------------

def submit(attempt, *, origin, now=None):
    """The student hands in."""
    return finalize(attempt, Status.SUBMITTED, actor_user_id=attempt.user_id, origin=origin, now=now)


def finalize(attempt, to, *, actor_user_id, origin, reason=None, now=None):
    """End an open attempt: status, finished_at (the deadline if the student was away past it),
    grade, audit row and outbox row, in one transaction. Idempotent: if another caller ended it
    first, this returns the attempt as that caller left it."""
    now = now or utcnow()
    if Status(attempt.status) in FINAL:
        return attempt
    if _end([attempt], to, actor_user_id=actor_user_id, origin=origin, reason=reason, now=now):
        db.session.commit()
    else:
        db.session.rollback()
        db.session.refresh(attempt)
    return attempt


def _end(open_attempts, to, *, actor_user_id, origin, reason, now):
    """The one ending path, in the caller's transaction: move each attempt's status, then read the
    answers (so no save can slip in between), grade, audit and queue the students' grades. Attempts another
    caller ended first are left as they are. Returns the attempts this call ended."""
    ended = []
    for attempt in open_attempts:
        finished_at = min(now, attempt.deadline) if to is Status.TIMED_OUT else now
        try:
            transition(
                attempt, to, actor_user_id=actor_user_id, origin=origin, course_id=attempt.exam.course_id,
                changes={"finished_at": finished_at, "check_at": None, "paused_at": None, "finish_reason": reason},
                data={"reason": reason},
            )
        except TransitionLost:
            continue
        ended.append(attempt)
    if not ended:
        return ended
    answers = _chosen_options([a.id for a in ended])
    questions = questions_by_id({qid for attempt in ended for qid in attempt.question_order})
    for attempt in ended:
        exam = attempt.exam
        ordered = questions_in_order(attempt, questions)
        attempt.score, attempt.max_score, attempt.breakdown = grading.grade(
            ordered, answers.get(attempt.id, {}), partial_credit=exam.partial_credit)
        versions.record(attempt, ordered)
        audit.record("attempt.graded", "attempt", attempt.id, course_id=exam.course_id, origin=origin,
                     data={"score": attempt.score, "max_score": attempt.max_score})
        notices.attempt_changed(attempt)
    gradebook.attempts_ended([attempt for attempt in ended if not attempt.is_preview], now)
    return ended


def _chosen_options(attempt_ids):
    """{attempt id: {question id: option ids}} for these attempts, in one query."""
    chosen = {}
    rows = db.session.execute(
        select(Answer.attempt_id, Answer.question_id, Answer.option_ids).where(Answer.attempt_id.in_(attempt_ids)))
    for attempt_id, question_id, option_ids in rows:
        chosen.setdefault(attempt_id, {})[question_id] = option_ids
    return chosen


def questions_of_exam(exam_id):
    """{question id: question} of the exam's own questions with their options loaded, in two queries (not one per
    question)."""
    query = select(Question).options(selectinload(Question.options)).where(Question.exam_id == exam_id)
    return {q.id: q for q in db.session.scalars(query)}


def questions_by_id(ids):
    """{question id: question} of the questions `ids` (an attempt's: its exam's own and those it drew from the
    course's bank) with their options loaded, in two queries."""
    query = select(Question).options(selectinload(Question.options)).where(Question.id.in_(list(ids)))
    return {q.id: q for q in db.session.scalars(query)}


def questions_in_order(attempt, questions=None):
    """The attempt's questions with their options, in the attempt's order (an attempt just started has them)."""
    questions = questions if questions is not None else attempt.drawn or questions_by_id(attempt.question_order)
    return [questions[qid] for qid in attempt.question_order if qid in questions]


def finalize_if_overdue(attempt, *, grace_seconds=0, now=None):
    """The lazy caller: whoever reads an attempt past its deadline ends it."""
    now = now or utcnow()
    overdue = (Status(attempt.status) is Status.IN_PROGRESS
               and now > attempt.deadline + timedelta(seconds=grace_seconds))
    if overdue:
        return finalize(attempt, Status.TIMED_OUT, actor_user_id=None, origin="system", reason="deadline",
                        now=now)
    return attempt


def finalize_due(*, grace_seconds, now=None, limit=SWEEP_BATCH):
    """The sweeper's pass: end up to `limit` attempts whose deadline (plus grace) has passed, in one
    transaction. Every worker runs it; on PostgreSQL FOR UPDATE SKIP LOCKED holds the batch's rows until
    that commit, so each attempt goes to one worker and the others take the next ones. If the batch
    fails, its attempts are ended one by one, so one bad attempt cannot hold up the rest."""
    now = now or utcnow()
    due = (
        select(Attempt)
        .where(Attempt.check_at <= now - timedelta(seconds=grace_seconds),
               Attempt.status == str(Status.IN_PROGRESS))
        .order_by(Attempt.check_at)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        # FOR NO KEY UPDATE, not FOR UPDATE: the pages' writes that name these attempts (violations, presence,
        # answers: foreign keys, which take a key-share lock) must not wait for the batch; at the close they held
        # up every page's writes for seconds (bench/README.md, section 4).
        due = due.with_for_update(skip_locked=True, key_share=True)
    batch = db.session.scalars(due).all()
    batch_ids = [attempt.id for attempt in batch]
    ending = {"actor_user_id": None, "origin": "sweeper", "reason": "deadline", "now": now}
    try:
        ended = _end(batch, Status.TIMED_OUT, **ending)
        db.session.commit()
        return len(ended)
    except Exception:
        log.exception("the sweeper could not end a batch of %d attempts; ending them one by one", len(batch))
        db.session.rollback()
    return sum(_finalize_alone(attempt_id, ending) for attempt_id in batch_ids)


def _finalize_alone(attempt_id, ending):
    """One attempt in its own transaction; a failure is logged and left for the next pass."""
    try:
        ended = _end([db.session.get(Attempt, attempt_id)], Status.TIMED_OUT, **ending)
        db.session.commit()
        return len(ended)
    except Exception:
        log.exception("the sweeper could not end attempt %s", attempt_id)
        db.session.rollback()
        return 0


def close_exam(exam, *, actor_user_id, origin, now=None):
    """Close the exam now: no new attempts, and every open attempt ends (timed out), in one transaction."""
    now = now or utcnow()
    exam.closed_at = now
    audit.record("exam.closed", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 origin=origin)
    open_attempts = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.status.in_([str(s) for s in OPEN]))
    ).all()
    ended = _end(open_attempts, Status.TIMED_OUT, actor_user_id=actor_user_id, origin=origin,
                 reason="exam closed", now=now)
    db.session.commit()
    return len(ended)


def force_close(attempt, *, actor_user_id, origin, reason, now=None):
    """A proctor ends one attempt; the reason is required and recorded."""
    if not (reason or "").strip():
        raise AttemptRefused("A reason is required to close an attempt.")
    if Status(attempt.status) in FINAL:
        raise AttemptRefused("This attempt has already ended.")
    return finalize(attempt, Status.TERMINATED, actor_user_id=actor_user_id, origin=origin,
                    reason=reason.strip(), now=now)


# --- a proctor's controls -----------------------------------------------------------------------

def pause(attempt, *, actor_user_id, origin, reason=None, now=None):
    """Stop the attempt's clock; saves are refused until it resumes, and the sweeper leaves it alone."""
    now = now or utcnow()
    _move(attempt, Status.PAUSED, actor_user_id=actor_user_id, origin=origin,
          changes={"paused_at": now, "check_at": None}, data={"reason": reason})
    return attempt


def resume(attempt, *, actor_user_id, origin, now=None):
    """Restart the clock: the deadline moves by the time spent paused."""
    now = now or utcnow()
    check_legal(attempt.status, Status.IN_PROGRESS)
    deadline = timer.resumed_deadline(attempt.deadline, attempt.paused_at, now)
    _move(attempt, Status.IN_PROGRESS, actor_user_id=actor_user_id, origin=origin,
          changes={"paused_at": None, "deadline": deadline, "check_at": deadline},
          data={"paused_seconds": int((now - attempt.paused_at).total_seconds())})
    return attempt


def _move(attempt, to, *, actor_user_id, origin, changes, data):
    try:
        transition(attempt, to, actor_user_id=actor_user_id, origin=origin, course_id=attempt.exam.course_id,
                   changes=changes, data=data)
    except TransitionLost:
        db.session.rollback()
        raise AttemptRefused("The attempt changed meanwhile; look again.") from None
    notices.attempt_changed(attempt)
    db.session.commit()


def extend(attempt, minutes, *, actor_user_id, origin, now=None):
    """Grant extra minutes to one open attempt (not capped by the window: a proctor chose to)."""
    _check_minutes(minutes)
    if not _extend_open([attempt], minutes):
        db.session.rollback()
        raise AttemptRefused("This attempt has already ended.")
    audit.record("attempt.extended", "attempt", attempt.id, actor_user_id=actor_user_id,
                 course_id=attempt.exam.course_id, origin=origin,
                 data={"minutes": minutes, "deadline": attempt.deadline.isoformat()})
    db.session.commit()
    return attempt


def extend_exam(exam, minutes, *, actor_user_id, origin):
    """Give everyone more time: every open attempt's deadline and the window's close move by `minutes`."""
    _check_minutes(minutes)
    open_attempts = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.status.in_([str(s) for s in OPEN]))
    ).all()
    if exam.closes_at is not None:
        exam.closes_at = exam.closes_at + timedelta(minutes=minutes)
    extended = _extend_open(open_attempts, minutes)
    audit.record("exam.extended", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 origin=origin, data={"minutes": minutes, "attempts": [a.id for a in extended]})
    db.session.commit()
    return extended


def _extend_open(open_attempts, minutes):
    """Move the deadlines of those still open, under their row locks (a finalize racing this either ends
    the attempt first or sees the new deadline). Returns the attempts extended."""
    extended = []
    for attempt in open_attempts:
        db.session.refresh(attempt, with_for_update=True)
        if Status(attempt.status) not in OPEN:
            continue
        attempt.deadline = attempt.deadline + timedelta(minutes=minutes)
        if attempt.check_at is not None:
            attempt.check_at = attempt.deadline
        notices.attempt_changed(attempt)
        extended.append(attempt)
    return extended


def _check_minutes(minutes):
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600:
        raise AttemptRefused("Extra time must be a whole number of minutes from 1 to 600.")

