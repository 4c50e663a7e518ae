"""A violation's round trips to the database: the group committer (proctor/page_writes.py) writes a whole
burst with these statements, so they must stay few and must not grow with the group."""

import time

from sqlalchemy import event

from lti_tool.db import db


def test_a_violation_is_recorded_and_acknowledged_in_three_statements(room):
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
    # The attempt's status, the event (its resend check in the same INSERT ... ON CONFLICT) and its audit row.
    assert statements == ["SELECT", "INSERT", "INSERT"], statements
