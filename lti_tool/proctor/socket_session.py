"""What the student and dashboard sockets share: the launch token that opens the socket (and closes it
when it runs out, unless a new one is sent), bus subscriptions that end with the socket, and a resync
after a bus gap. Each socket gets its own session object; `serve` hands it the socket's messages."""

import logging
import threading
import time
import weakref

from flask import current_app

from lti_tool.errors import Forbidden, NotAuthenticated
from lti_tool.identity import access
from lti_tool.realtime.sockets import CLOSE_UNAUTHENTICATED

log = logging.getLogger(__name__)


class SocketSession:
    """Subclasses define `roles`, `greet(context, message)` (first hello), `resync()` (state from the
    database after a gap) and an `on_<type>(message)` method per message type after hello."""

    roles = ()
    # Every open session of a kind, so a bus gap can resync them all.
    live = None

    def __init__(self):
        self.app = current_app._get_current_object()
        self.bus = current_app.extensions["bus"]
        self.connection = None
        self.context = None
        self._subscriptions = []
        self._expiry = None
        type(self).live.add(self)

    def handle(self, connection, message):
        self.connection = connection
        if message["type"] == "hello":
            return self._hello(message)
        return getattr(self, f"on_{message['type']}")(message)

    def _hello(self, message):
        context = access.verify_token(message["token"])
        if not context.has_any(*self.roles):
            raise Forbidden("Your role in this course does not allow this socket.")
        if self.context is None:
            self.greet(context, message)
        elif (context.user_id, context.course_id) != (self.context.user_id, self.context.course_id):
            raise Forbidden("A socket stays with the person who opened it.")
        self.context = context
        self._close_when_expired(context.expires_at)
        self.connection.send({"type": "hello", "expires_at": context.expires_at})

    def _close_when_expired(self, expires_at):
        if self._expiry is not None:
            self._expiry.cancel()
        self._expiry = threading.Timer(max(0.0, expires_at - time.time()), self._expired)
        self._expiry.daemon = True
        self._expiry.start()

    def _expired(self):
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
        if self._expiry is not None:
            self._expiry.cancel()
        for channel, callback in self._subscriptions:
            self.bus.unsubscribe(channel, callback)
        type(self).live.discard(self)

    @classmethod
    def resync_all(cls, app):
        """After a bus gap (Redis came back): every open session resends its state from the database."""
        for session in list(cls.live):
            if session.context is None:
                continue
            with app.app_context():
                try:
                    session.resync()
                except Exception:
                    log.exception("resync after a bus gap failed for one socket")


def new_registry():
    return weakref.WeakSet()
