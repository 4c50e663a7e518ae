"""A whole class launches within the same minute (bench/exam_day.py): each login and launch must take few
database round trips, whatever pylti1p3 asks of the tool's configuration on the way."""

from sqlalchemy import event

from lti_tool.db import db
from tests.lti_platform import LEARNER


class Statements:
    def __init__(self):
        self.seen = []
        self.commits = 0

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._count)
        event.listen(db.engine, "commit", self._commit)
        return self

    def _count(self, conn, cursor, statement, *args):
        self.seen.append(" ".join(statement.split())[:100])

    def _commit(self, conn):
        self.commits += 1

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._count)
        event.remove(db.engine, "commit", self._commit)

    def written(self):
        return [" ".join(s.split()[:3]) for s in self.seen if not s.startswith("SELECT")]


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
    # Login: the login state. Launch, in one transaction: the login state, the nonce; the user, course, membership
    # and link each read, and the new ones inserted; the launch and its audit row. No platform, deployment or key
    # is read, and no savepoint is needed: two first launches at once meet in INSERT … ON CONFLICT.
    assert login.seen == [s for s in login.seen if s.startswith("INSERT INTO login_states")], login.seen
    assert len(login.seen) == 1, login.seen
    assert launch.written() == ["INSERT INTO used_nonces", "INSERT INTO users", "INSERT INTO memberships",
                                "INSERT INTO launches", "INSERT INTO audit_log"], launch.seen
    assert len(launch.seen) == 10 and launch.commits == 1, (launch.seen, launch.commits)
    assert not [s for s in launch.seen if any(t in s for t in ("platforms", "deployments", "tool_keys"))]


def test_a_returning_students_launch_writes_only_the_nonce_the_launch_and_its_audit_row(lti):
    lti.token_for(sub="returning")
    state, nonce = lti.login()
    with Statements() as launch:
        response = lti.post(lti.platform.sign(lti.platform.claims(nonce=nonce, roles=[LEARNER], sub="returning")),
                            state)
    assert response.status_code == 200
    assert launch.written() == ["INSERT INTO used_nonces", "INSERT INTO launches", "INSERT INTO audit_log"], \
        launch.seen
    assert len(launch.seen) == 8 and launch.commits == 1, (launch.seen, launch.commits)
