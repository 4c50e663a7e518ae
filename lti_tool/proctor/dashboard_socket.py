"""The proctor dashboard's socket: the room from the database on (re)connect, then every violation, status
change and action live, and presence changes gathered (the latest per page, every PRESENCE_EVERY); the
proctor's commands go through proctor/actions.py."""

import threading

from lti_tool.db import db
from lti_tool.errors import Forbidden, NotFound
from lti_tool.exam import proctors
from lti_tool.exam import services as exam_services
from lti_tool.exam.models import Exam
from lti_tool.identity.roles import ToolRole
from lti_tool.proctor import actions, room
from lti_tool.proctor.socket_session import SocketSession, new_registry
from lti_tool.realtime import channels

ORIGIN = "proctor dashboard"
# A dashboard hears presence at most this often (seconds), the latest state per page: 2,000 pages going offline
# at once, one message each, overflowed its queue and closed it (bench/README.md, section 7).
PRESENCE_EVERY = 0.25


class DashboardSocket(SocketSession):
    kind = "dashboard"
    # Any role: proctors.can_proctor decides (a listed invigilator may be launched as Learner).
    roles = tuple(ToolRole)
    live = new_registry()

    def __init__(self):
        super().__init__()
        self.exam_id = None
        self._presence_lock = threading.Lock()
        self._presence = {}
        self._presence_timer = None

    def greet(self, context, message):
        try:
            exam = exam_services.get_exam(context.course_id, message["exam_id"])
        except NotFound:
            raise Forbidden("That exam is not in your course.") from None
        if not proctors.can_proctor(exam, context):
            raise Forbidden("You are not a proctor of this exam.",
                            hint="Ask the test maker to list you among this exam's proctors.")
        self.exam_id = exam.id
        self.subscribe(channels.exam(exam.id), self._from_bus)
        self.send(room.snapshot(exam))

    def check(self, context):
        _still_proctor(self._exam(), context)

    def resync(self):
        self.send(room.snapshot(self._exam()))

    def log_ids(self):
        return {"exam_id": self.exam_id}

    def _from_bus(self, message):
        if message["type"] == "presence":
            return self._hold_presence(message)
        if message["type"] == "attempt":
            message = {**message, "type": "status"}
        self.send(message)

    def _hold_presence(self, message):
        page = {"attempt_id": message["attempt_id"], "state": message["state"], "at": message["at"]}
        with self._presence_lock:
            held = self._presence.get(page["attempt_id"])
            if held is None or held["at"] <= page["at"]:  # from two workers, the bus may swap them
                self._presence[page["attempt_id"]] = page
            if self._presence_timer is None:
                self._presence_timer = threading.Timer(PRESENCE_EVERY, self._send_presence)
                self._presence_timer.daemon = True
                self._presence_timer.start()

    def _send_presence(self):
        with self._presence_lock:
            pages, self._presence, self._presence_timer = list(self._presence.values()), {}, None
        self.send({"type": "presence", "pages": pages})

    def _exam(self):
        return db.session.get(Exam, self.exam_id)

    def _allowed_exam(self):
        """The exam, for an act of a person who may still proctor it (their role re-read: a message that
        would have closed the socket may have been lost)."""
        exam = self._exam()
        self.context = self.allowed(self.context)
        _still_proctor(exam, self.context)
        return exam

    def _act(self, message, action, *args):
        exam = self._allowed_exam()
        attempt = actions.attempt_of(exam, message["attempt_id"])
        action(exam, attempt, *args, actor_user_id=self.context.user_id, origin=ORIGIN)
        self.send({"type": "ack", "action": message["type"], "attempt_id": attempt.id})

    def on_warn(self, message):
        self._act(message, actions.warn, message["text"])

    def on_pause(self, message):
        self._act(message, actions.pause, message.get("reason"))

    def on_resume(self, message):
        self._act(message, actions.resume)

    def on_extend(self, message):
        self._act(message, actions.extend, message["minutes"])

    def on_terminate(self, message):
        self._act(message, actions.terminate, message["reason"])

    def on_note(self, message):
        self._act(message, actions.note, message["text"])

    def on_announce(self, message):
        actions.announce(self._allowed_exam(), message["text"], actor_user_id=self.context.user_id, origin=ORIGIN)
        self.send({"type": "ack", "action": "announce"})

    def on_close_exam(self, message):
        ended = actions.close_exam(self._allowed_exam(), actor_user_id=self.context.user_id, origin=ORIGIN)
        self.send({"type": "ack", "action": "close_exam", "attempts_ended": ended})

    def on_extend_exam(self, message):
        extended = actions.extend_exam(self._allowed_exam(), message["minutes"], actor_user_id=self.context.user_id,
                                       origin=ORIGIN)
        self.send({"type": "ack", "action": "extend_exam", "attempts_extended": len(extended)})


def _still_proctor(exam, context):
    """On every re-hello and act: the test maker may have taken this person off the exam's proctor list."""
    if not proctors.can_proctor(exam, context):
        raise Forbidden("You are no longer a proctor of this exam.",
                        hint="The test maker lists the proctors of each exam.")
