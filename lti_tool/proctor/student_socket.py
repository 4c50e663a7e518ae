"""The student exam page's socket: presence from heartbeats, violations on record, answers saved, the proctor's
warnings (acknowledged), pauses, extra time, announcements and the attempt's end, pushed to the page."""

import logging

from lti_tool.db import UNAVAILABLE, db, first_line, utcnow
from lti_tool.errors import Forbidden
from lti_tool.exam import grouped_saves
from lti_tool.exam.lifecycle import FINAL, Status
from lti_tool.exam.models import Attempt
from lti_tool.identity.roles import ToolRole
from lti_tool.proctor import actions, page_writes, presence
from lti_tool.proctor.socket_session import SocketSession, new_registry
from lti_tool.realtime import channels

log = logging.getLogger(__name__)


class StudentSocket(SocketSession):
    kind = "student"
    roles = (ToolRole.STUDENT,)
    live = new_registry()

    def __init__(self):
        super().__init__()
        self.attempt_id = None
        self.exam_id = None
        self.page = None
        self.status = None
        self.deadline = None
        self.tracker = presence.Tracker()

    def greet(self, context, message):
        attempt = db.session.get(Attempt, message["attempt_id"])
        if attempt is None or attempt.user_id != context.user_id or attempt.exam.course_id != context.course_id:
            raise Forbidden("That attempt is not yours.")
        self.attempt_id, self.exam_id = attempt.id, attempt.exam_id
        self.page = page_writes.Page(attempt.id, attempt.exam_id, attempt.exam.course_id, attempt.user_id)
        # Subscribed before the state is read, so nothing between the two is missed.
        self.subscribe(channels.attempt(attempt.id), self._from_bus)
        self.subscribe(channels.exam_students(attempt.exam_id), self._from_bus)
        self._send_state(attempt)
        if Status(attempt.status) not in FINAL:
            self._see(presence.ONLINE)

    def resync(self):
        self._send_state(db.session.get(Attempt, self.attempt_id))

    def log_ids(self):
        return {"attempt_id": self.attempt_id, "exam_id": self.exam_id}

    def _send_state(self, attempt):
        self._track(attempt.status, attempt.deadline.isoformat())
        for message in page_messages(_attempt_message(attempt), previous=None):
            self.send(message)
        for warning in actions.pending_warnings(attempt.id):
            self.send(actions.student_warning(warning))

    def on_heartbeat(self, message):
        self._see(presence.ONLINE if message.get("visible", True) else presence.AWAY)
        self.send({"type": "time", "deadline": self.deadline, "now": utcnow().isoformat(), "status": self.status})

    def on_violation(self, message):
        event_id = page_writes.write(page_writes.Violation(
            self.page, message["kind"], message["client_time"], message.get("id"), message.get("detail")))
        self.send({"type": "ack", "id": message.get("id"), "event_id": event_id})

    def on_save(self, message):
        saved_at, applied = page_writes.write(page_writes.AnswerSave(self.page, grouped_saves.Save(
            self.attempt_id, message["question_id"], message["option_ids"], message.get("flagged", False),
            message["seq"])))
        # As the PUT's answer: `superseded` when a later save of the question is already stored.
        self.send({"type": "saved", "id": message["id"], "question_id": message["question_id"],
                   "saved_at": saved_at.isoformat(), "superseded": not applied})

    def on_warn_ack(self, message):
        page_writes.write(page_writes.WarningAck(self.page, message["warning_id"]))
        self.send({"type": "ack", "warning_id": message["warning_id"]})

    def close(self):
        try:
            if self.page is not None:
                with self.app.app_context():
                    self._see(presence.OFFLINE)
        except UNAVAILABLE as exc:
            # Dashboards show a silent page as offline after presence.SILENT_AFTER anyway.
            log.warning("could not record a closed page as offline: %s", first_line(exc))
        finally:
            super().close()  # always stop hearing the bus: a session left subscribed would never be freed

    def _see(self, state):
        now = utcnow()
        # Also unchanged readings are written and go out (every REFRESH_EVERY): a dashboard shows a page it has
        # not heard of for SILENT_AFTER as offline, which covers a worker that died holding the socket.
        write, changed = self.tracker.observe(state, now)
        if write:
            page_writes.write(page_writes.Seen(self.page, state, now, changed))

    def _from_bus(self, message):
        previous = self.status
        if message["type"] == "attempt":
            self._track(message["status"], message["deadline"])
        for outgoing in page_messages(message, previous=previous):
            self.send(outgoing)

    def _track(self, status, deadline):
        self.status, self.deadline = status, deadline


def _attempt_message(attempt):
    return {"type": "attempt", "status": attempt.status, "deadline": attempt.deadline.isoformat(),
            "finish_reason": attempt.finish_reason, "paused_at": attempt.paused_at and attempt.paused_at.isoformat()}


def page_messages(message, *, previous):
    """What the student's page is told about a bus message: the exam's attempt changes become `time`,
    `pause`, `resume`, `terminate`, `exam_closed` or `ended`; warnings and announcements pass through."""
    if message["type"] != "attempt":
        return [message]
    status = Status(message["status"])
    now = utcnow().isoformat()
    if status is Status.PAUSED:
        return [{"type": "pause", "deadline": message["deadline"], "paused_at": message["paused_at"], "now": now}]
    if status is Status.IN_PROGRESS:
        kind = "resume" if previous == Status.PAUSED else "time"
        return [{"type": kind, "deadline": message["deadline"], "now": now, "status": str(status)}]
    if status is Status.TERMINATED:
        return [{"type": "terminate", "reason": message["finish_reason"]}]
    if message["finish_reason"] == "exam closed":
        return [{"type": "exam_closed"}]
    return [{"type": "ended", "status": str(status)}]
