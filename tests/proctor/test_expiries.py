"""Sockets close when their token runs out, from one thread for all of them: each at its own time, and
not at all once the page sent a newer token or the socket closed."""

import threading
import time

from lti_tool.proctor.socket_session import Expiries

WAIT = 5


class Session:
    """What Expiries needs of a socket session."""

    def __init__(self, seconds):
        self.expires_at = time.time() + seconds
        self.expired_at = None
        self.done = threading.Event()

    def expired(self):
        self.expired_at = time.time()
        self.done.set()


def expiry_threads():
    return sum(thread.name == "socket expiries" for thread in threading.enumerate())


def test_every_session_expires_at_its_own_time_from_one_thread():
    expiries = Expiries()
    before = expiry_threads()
    sessions = [Session(0.4), Session(0.1), Session(0.25)]
    for session in sessions:
        expiries.watch(session, session.expires_at)
    assert expiry_threads() == before + 1
    for session in sessions:
        assert session.done.wait(WAIT)
        assert session.expired_at >= session.expires_at
    first, second, third = sorted(sessions, key=lambda s: s.expires_at)
    assert first.expired_at <= second.expired_at <= third.expired_at


def test_a_session_refreshed_or_closed_in_time_is_not_expired_by_its_old_token():
    expiries = Expiries()
    refreshed, closed = Session(0.1), Session(0.1)
    for session in (refreshed, closed):
        expiries.watch(session, session.expires_at)
    refreshed.expires_at = time.time() + 0.4  # a hello with a newer token
    expiries.watch(refreshed, refreshed.expires_at)
    closed.expires_at = None  # the socket closed
    time.sleep(0.25)
    assert refreshed.expired_at is None and closed.expired_at is None
    assert refreshed.done.wait(WAIT)
    assert refreshed.expired_at >= refreshed.expires_at
    assert closed.expired_at is None
