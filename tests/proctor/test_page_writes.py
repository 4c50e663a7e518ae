"""The student pages' writes in groups: one statement per table and one commit for a whole group, and a group
that fails written again one by one, so one bad message sinks only itself."""

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError

from lti_tool.audit import AuditEntry
from lti_tool.db import db, utcnow
from lti_tool.exam import attempts
from lti_tool.exam.models import Attempt
from lti_tool.proctor import page_writes
from lti_tool.proctor.models import Presence, ProctorEvent
from lti_tool.proctor.page_writes import Page, Seen, Violation


def page_of(attempt):
    row = db.session.get(Attempt, attempt["id"])
    return Page(row.id, row.exam_id, row.exam.course_id, row.user_id)


class Database:
    """The statements (verb and table) and commits the engine sees."""

    def __init__(self):
        self.statements, self.commits = [], 0

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._statement)
        event.remove(db.engine, "commit", self._commit)

    def _statement(self, conn, cursor, statement, *args):
        verb = statement.split()[0]
        table = re.search(r"(?:INTO|FROM|UPDATE)\s+(\w+)", statement).group(1)
        self.statements.append(f"{verb} {table}")

    def _commit(self, conn):
        self.commits += 1


def test_a_group_is_one_statement_per_table_and_one_commit(room):
    pages = [page_of(room.student(f"student-{n}")[1]) for n in range(3)]
    now_ms = time.time() * 1000
    violations = [Violation(pages[n % 3], "copy", now_ms, f"v-{n}", None) for n in range(30)]
    unnamed = [Violation(page, "paste", now_ms, None, "no id") for page in pages]
    resent = Violation(pages[0], "copy", now_ms, "v-0", None)  # the same page's event, twice in one group
    seen = [Seen(page, "away", utcnow(), True) for page in pages]
    db.session.commit()

    with Database() as database:
        page_writes.commit([*violations, *seen, resent, *unnamed])

    assert sorted(database.statements) == sorted([
        "INSERT presences", "INSERT presence_changes",  # the pages changed state: kept for the review's timeline
        "SELECT attempts", "INSERT proctor_events",
        "SELECT proctor_events",  # the resend's earlier event
        "INSERT audit_log"])
    assert database.commits == 1
    events = {e.id: e for e in db.session.scalars(select(ProctorEvent))}
    assert len(events) == 33
    for item in [*violations, *unnamed]:
        assert item.done.is_set() and item.error is None
        recorded = events[item.result]
        assert (recorded.attempt_id, recorded.client_id, recorded.detail, recorded.text) == (
            item.page.attempt_id, item.client_id, item.kind, item.detail)
    assert resent.result == violations[0].result
    audited = db.session.scalars(select(AuditEntry).filter_by(action="proctor.violation")).all()
    assert sorted(entry.data["event_id"] for entry in audited) == sorted(events)
    assert {entry.course_id for entry in audited} == {pages[0].course_id}
    assert {row.state for row in db.session.scalars(select(Presence))} == {"away"}


def test_a_resend_in_a_later_group_gets_the_first_event_and_no_second_record(room):
    page = page_of(room.student()[1])
    first = Violation(page, "copy", time.time() * 1000, "v-1", None)
    page_writes.commit([first])
    again = Violation(page, "copy", time.time() * 1000, "v-1", None)
    page_writes.commit([again])
    assert again.result == first.result
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="proctor.violation")) == 1


def test_a_group_that_fails_is_written_one_by_one_and_only_the_bad_message_fails(room):
    page = page_of(room.student()[1])
    broken = Page(page.attempt_id, None, page.course_id, page.user_id)  # an event must name its exam
    now_ms = time.time() * 1000
    good = [Violation(page, "copy", now_ms, f"v-{n}", None) for n in range(3)]
    bad = Violation(broken, "copy", now_ms, "v-bad", None)
    db.session.commit()

    with Database() as database:
        page_writes.commit([good[0], bad, *good[1:]])

    assert database.commits == 3  # the group failed; then each good one in its own transaction
    assert isinstance(bad.error, IntegrityError) and bad.result is None
    recorded = db.session.scalars(select(ProctorEvent.client_id)).all()
    assert sorted(recorded) == ["v-0", "v-1", "v-2"]
    assert all(item.error is None and item.result for item in good)


def test_the_committer_raises_in_the_writer_what_failed_its_message(app, room):
    page = page_of(room.student()[1])
    db.session.commit()
    committer = page_writes.Committer(app)
    assert committer.write(Violation(page, "copy", time.time() * 1000, "v-1", None)) > 0
    with pytest.raises(IntegrityError):
        committer.write(Violation(Page(page.attempt_id, None, page.course_id, page.user_id), "copy", 0, "v-2", None))


def test_a_writer_holds_no_connection_while_it_waits_for_the_committer(app, room, monkeypatch):
    page = page_of(room.student()[1])
    db.session.execute(select(Attempt.id))  # the handler has read something, as a hello does
    caller = db.session()
    holding = []
    commit = page_writes.commit
    monkeypatch.setattr(page_writes, "commit", lambda group: (holding.append(caller.in_transaction()), commit(group)))
    assert page_writes.Committer(app).write(Violation(page, "copy", time.time() * 1000, "v-1", None)) > 0
    assert holding == [False]  # 2,000 hellos at once would otherwise hold every pooled connection


def test_the_pages_writes_do_not_wait_for_the_sweepers_batch(app, room, monkeypatch):
    """At the close the sweeper holds a batch of attempts while it grades them; a violation naming one of them
    (its foreign key takes a key-share lock) must not wait for that batch, or every page's writes in the group
    wait with it (the exam day's close, bench/README.md section 4)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the sweeper and the pages cannot overlap")
    attempt = room.student()[1]
    page = page_of(attempt)
    db.session.execute(update(Attempt).where(Attempt.id == attempt["id"])
                       .values(check_at=utcnow() - timedelta(minutes=1), deadline=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    grading, release = threading.Event(), threading.Event()
    end = attempts._end
    monkeypatch.setattr(attempts, "_end", lambda *args, **kwargs: (grading.set(), release.wait(20),
                                                                   end(*args, **kwargs))[-1])

    def sweep():
        with app.app_context():
            attempts.finalize_due(grace_seconds=0)
            db.session.remove()

    def report():
        with app.app_context():
            page_writes.commit([violation])
            db.session.remove()

    violation = Violation(page, "copy", time.time() * 1000, "v-1", None)
    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    assert grading.wait(10)  # the batch's rows are locked until the sweeper commits
    writer = threading.Thread(target=report)
    writer.start()
    writer.join(timeout=10)
    waited = writer.is_alive()
    release.set()
    sweeper.join(timeout=20)
    writer.join(timeout=20)
    assert not waited, "the violation waited for the sweeper's batch"
    assert violation.error is None and violation.result
    assert room.attempt_row(attempt).status == "timed_out"
