"""What the student and dashboard sockets share: the launch token that opens the socket (and closes it
when it runs out, unless a new one is sent), bus subscriptions that end with the socket, and a resync
after a bus gap. Each socket gets its own session object; `serve` hands it the socket's messages."""

import heapq
import itertools
import logging
import threading
import time
import weakref

from flask import current_app

from lti_tool.errors import Forbidden, NotAuthenticated
from lti_tool.identity import access
from lti_tool.realtime.messages import error_frame
from lti_tool.realtime.sockets import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED

log = logging.getLogger(__name__)


class Expiries:
    """Closes each socket when its token runs out, from one thread (a greenlet under gevent) for the whole
    process: a timer thread per socket cost about 11 KB for each idle socket (bench/README.md, section 3)."""

    def __init__(self):
        self._changed = threading.Condition()
        self._due = []  # heap of (expires_at, tie-breaker, weak reference to the session)
        self._order = itertools.count()
        self._thread = None

    def watch(self, session, expires_at):
        """Call session.expired() at `expires_at` (epoch seconds) unless its expires_at has changed by then."""
        with self._changed:
            heapq.heappush(self._due, (expires_at, next(self._order), weakref.ref(session)))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="socket expiries", daemon=True)
                self._thread.start()
            self._changed.notify()

    def _run(self):
        while True:
            with self._changed:
                while not self._due or self._due[0][0] > time.time():
                    self._changed.wait(self._due[0][0] - time.time() if self._due else None)
                expires_at, _, ref = heapq.heappop(self._due)
            session = ref()
            if session is not None and session.expires_at == expires_at:
                try:
                    session.expired()
                except Exception:
                    log.exception("closing a socket whose token ran out failed")


EXPIRIES = Expiries()


class SocketSession:
    """Subclasses define `roles`, `greet(context, message)` (first hello), `resync()` (state from the
    database after a gap) and an `on_<type>(message)` method per message type after hello; and, where what
    the socket opened needs more than a role, `check(context)`, raising Forbidden once it is no longer allowed.
    `kind` and `log_ids()` (the ids the socket is about) name the session in its closing log line."""

    roles = ()
    # Every open session of a kind, so a bus gap or a lost right reaches them all.
    live = None

    def __init__(self):
        self.app = current_app._get_current_object()
        self.bus = current_app.extensions["bus"]
        self.connection = None
        self.context = None
        self._subscriptions = []
        self.expires_at = None
        type(self).live.add(self)

    def handle(self, connection, message):
        self.connection = connection
        if message["type"] == "hello":
            return self._hello(message)
        return getattr(self, f"on_{message['type']}")(message)

    def _hello(self, message):
        context = self.allowed(access.verify_token(message["token"]))
        if self.context is None:
            self.greet(context, message)
        elif (context.user_id, context.course_id) != (self.context.user_id, self.context.course_id):
            raise Forbidden("A socket stays with the person who opened it.")
        else:
            self.check(context)
        self.context = context
        self.expires_at = context.expires_at
        EXPIRIES.watch(self, context.expires_at)
        self.connection.send({"type": "hello", "expires_at": context.expires_at})

    def allowed(self, context):
        """`context` with the roles its person still holds (the token may be older than a demotion), if one of
        them opens this socket."""
        context = access.still_held(context)
        if not context.has_any(*self.roles):
            raise Forbidden("Your role in this course does not allow this socket.")
        return context

    def check(self, context):
        """Refuse (Forbidden) unless `context` may still use what this socket opened; the role alone may do."""

    def recheck(self):
        """The person's rights have changed: close the socket (4403) unless they may still use it. True if open."""
        if self.context is None:
            return True
        try:
            context = self.allowed(self.context)
            self.check(context)
        except Forbidden as exc:
            self.send(error_frame(exc))
            self.connection.close(CLOSE_FORBIDDEN, exc.code)
            return False
        self.context = context
        return True

    def expired(self):
        self.connection.send({"type": "error", "code": NotAuthenticated.code,
                              "message": "Your session has expired; the page will reconnect with a new one."})
        self.connection.close(CLOSE_UNAUTHENTICATED, "token expired")

    def subscribe(self, channel, callback):
        self.bus.subscribe(channel, callback)
        self._subscriptions.append((channel, callback))

    def send(self, message):
        if self.connection is not None:
            self.connection.send(message)

    def close(self):
        """The socket has closed: stop hearing the bus and forget the session."""
        self.expires_at = None
        for channel, callback in self._subscriptions:
            self.bus.unsubscribe(channel, callback)
        type(self).live.discard(self)

    @classmethod
    def resync_all(cls, app):
        """After a bus gap (Redis came back): every open session checks its right again and resends its state
        from the database."""
        for session in list(cls.live):
            if session.context is None:
                continue
            with app.app_context():
                try:
                    # A right lost during the gap was announced on the bus too, and may have been missed.
                    if session.recheck():
                        session.resync()
                except Exception:
                    log.exception("resync after a bus gap failed for one socket")


def new_registry():
    return weakref.WeakSet()
