"""Closing, on every worker, the open sockets of people who have lost a right: a role in the course
(identity/notices.py) or a place on an exam's proctor list (exam/notices.py). A worker hears the access
channel once, not once per socket, and re-checks only the sessions the message names, from the database."""

import logging

from lti_tool.proctor.dashboard_socket import DashboardSocket
from lti_tool.proctor.student_socket import StudentSocket
from lti_tool.realtime import channels

log = logging.getLogger(__name__)
WATCHING = "proctor.access_changes"


def watch(app):
    """Hear the access channel in this worker from now on (once, however often it is called). Called for
    each socket: a worker that serves none has nothing to close, and a Redis bus must not start listening
    in a process that forks workers afterwards."""
    def changed(message):
        _changed(app, message)

    if app.extensions.setdefault(WATCHING, changed) is changed:
        app.extensions["bus"].subscribe(channels.access(), changed)


def _changed(app, message):
    sessions = _concerned(message)
    if not sessions:
        return
    with app.app_context():
        for session in sessions:
            try:
                session.recheck()
            except Exception:
                log.exception("re-checking an open socket's right failed")


def _concerned(message):
    """The open sessions whose right the message may have taken away. A proctor list never concerns a
    student's page."""
    if message["type"] == "proctors_changed":
        return [s for s in list(DashboardSocket.live) if s.exam_id == message["exam_id"]]
    users = set(message["user_ids"])
    return [s for kind in (DashboardSocket, StudentSocket) for s in list(kind.live)
            if s.context is not None and s.context.course_id == message["course_id"] and s.context.user_id in users]
