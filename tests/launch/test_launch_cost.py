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
    # The course, the link and the platform's keys are known from now on, and the worker keeps its copies of the
    # registration, the deployment and the tool's key (launch/registry.py).
    lti.token_for(sub="first-student")
    lti.token_for(sub="second-student")
    with Statements() as login:
        state, nonce = lti.login()
    with Statements() as launch:
        response = lti.post(lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER], sub="new")), state)
    assert response.status_code == 200
    # Login: the login state. Launch: the login state, the nonce; the user and membership (each in a savepoint),
    # course, link, audit and launch rows. No platform, deployment or key is read.
    assert login.seen == [s for s in login.seen if s.startswith("INSERT INTO login_states")], login.seen
    assert len(login.seen) == 1, login.seen
    assert len(launch.seen) <= 14, launch.seen
    assert not [s for s in launch.seen if any(t in s for t in ("platforms", "deployments", "tool_keys"))]
