"""A whole class launches within the same minute (bench/exam_day.py): each login and launch must take few
database round trips, whatever pylti1p3 asks of the tool's configuration on the way."""

from sqlalchemy import event

from lti_tool.db import db
from tests.lti_platform import LEARNER


class Statements:
    def __init__(self):
        self.seen = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, conn, cursor, statement, *args):
        self.seen.append(" ".join(statement.split())[:100])

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._count)


def test_a_new_students_login_and_launch_take_few_statements(lti):
    lti.token_for(sub="first-student")  # the course, the link and the platform's keys are known from now on
    with Statements() as login:
        state, nonce = lti.login()
    with Statements() as launch:
        response = lti.post(lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER], sub="new")), state)
    assert response.status_code == 200
    # Login: the platform, the tool's key, the login state (and its read back). Launch: the login state, the
    # platform, the tool's key, the nonce, the deployment; the user and membership (each in a savepoint),
    # course, link, deployment, launch and audit rows.
    assert len(login.seen) <= 4, login.seen
    assert len(launch.seen) <= 19, launch.seen
