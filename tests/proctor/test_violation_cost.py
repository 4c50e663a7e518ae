"""A burst of violations is handled one after another by the worker that holds the pages' sockets, so
each one's round trips to the database add up (bench/README.md, section 3): keep them few."""

import time

from sqlalchemy import event

from lti_tool.db import db


def test_a_violation_is_recorded_and_acknowledged_in_at_most_six_statements(room):
    token, attempt = room.student()
    page = room.student_page(token, attempt)
    page.next("time")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page.send(type="violation", kind="copy", client_time=time.time() * 1000, id="v-1")
        page.next("ack", id="v-1")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # The attempt with its exam, the resend check, the event (in a savepoint) and its audit row.
    assert len(statements) <= 6, statements
