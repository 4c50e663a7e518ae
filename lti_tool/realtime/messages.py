"""Incoming socket frames: JSON objects with a `type` from the sender's allow-list and the fields that
type declares. Anything else is refused with a MessageInvalid, which the socket answers with an
error frame; it never reaches a handler."""

import json
import math

from lti_tool import plain_text
from lti_tool.errors import AppError
from lti_tool.exam.question_files import MAX_OPTIONS

VIOLATION_KINDS = frozenset({
    "tab_hidden", "window_blur", "page_reloaded", "fullscreen_exit", "copy", "paste", "context_menu",
    "devtools_shortcut", "multiple_screens", "network_lost", "no_face", "multiple_faces", "camera_unavailable",
    "screen_share_stopped",
})
TOKEN_MAX = 4096

TEXT_MAX = 2000


class MessageInvalid(AppError):
    """A frame that is not a message this socket accepts; `code` says which rule it broke."""

    title = "Message refused"

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class Field:
    """One field of a message type: whether it must be there, and a check of its value that returns
    what is wrong with it, or None."""

    def __init__(self, check, *, required=True):
        self.check = check
        self.required = required


def text(max_length=TEXT_MAX, *, required=True):
    def check(value):
        if not isinstance(value, str):
            return "must be a string"
        if not 1 <= len(value) <= max_length:
            return f"must be 1 to {max_length} characters"
        if plain_text.problem(value):
            return "must be plain Unicode text"
        return None
    return Field(check, required=required)


def integer(minimum=0, maximum=2**53, *, required=True):
    def check(value):
        # bool is an int in Python, never in the protocol.
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be an integer"
        if not minimum <= value <= maximum:
            return f"must be from {minimum} to {maximum}"
        return None
    return Field(check, required=required)


def number(*, required=True):
    def check(value):
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            return "must be a number"
        return None
    return Field(check, required=required)


def integers(max_items, *, required=True):
    def check(value):
        if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
            return "must be a list of integers"
        if len(value) > max_items:
            return f"must have at most {max_items} items"
        return None
    return Field(check, required=required)


def choice(values, *, required=True):
    def check(value):
        if not isinstance(value, str) or value not in values:
            return f"must be one of {', '.join(sorted(values))}"
        return None
    return Field(check, required=required)


def flag(*, required=True):
    def check(value):
        return None if isinstance(value, bool) else "must be true or false"
    return Field(check, required=required)


# What each side may send the server (DESIGN §5), type -> field -> Field. A later hello with a fresh
# token keeps the socket open past the first token's expiry. Snapshots and zoom come with the camera.
STUDENT = {
    "hello": {"token": text(TOKEN_MAX), "attempt_id": integer(1)},
    # `visible`: false while the page is hidden, so the dashboard shows the student as away.
    "heartbeat": {"client_time": number(required=False), "visible": flag(required=False)},
    "violation": {
        "kind": choice(VIOLATION_KINDS),
        "client_time": number(),
        # The page's own id for the event, so a resend after a reconnect is recorded once.
        "id": text(64, required=False),
        "detail": text(500, required=False),
    },
    "warn_ack": {"warning_id": integer(1)},
    # An answer, as the exam page's PUT of it says it (the socket is the cheaper road: its saves are committed
    # in groups); `id` pairs the reply (`saved`, or an error frame with the same id) with it.
    "save": {
        "id": text(64),
        "question_id": integer(1),
        "option_ids": integers(MAX_OPTIONS),
        "flagged": flag(required=False),
        "seq": integer(0, 2**53 - 1),
    },
}
PROCTOR = {
    "hello": {"token": text(TOKEN_MAX), "exam_id": integer(1)},
    "warn": {"attempt_id": integer(1), "text": text(500)},
    "pause": {"attempt_id": integer(1), "reason": text(500, required=False)},
    "resume": {"attempt_id": integer(1)},
    "extend": {"attempt_id": integer(1), "minutes": integer(1, 600)},
    # The reason is kept on the attempt (Attempt.finish_reason), whose column holds 300 characters.
    "terminate": {"attempt_id": integer(1), "reason": text(300)},
    "note": {"attempt_id": integer(1), "text": text()},
    "announce": {"text": text(1000)},
    "close_exam": {},
    "extend_exam": {"minutes": integer(1, 600)},
}


def decode(raw, schema, max_bytes) -> dict:
    """The message in a text frame, checked against `schema` (STUDENT or PROCTOR)."""
    if not isinstance(raw, str):
        raise MessageInvalid("malformed", "Send JSON in text frames, not binary ones.")
    if len(raw.encode(errors="surrogatepass")) > max_bytes:
        raise MessageInvalid("too_large", f"A message may be at most {max_bytes} bytes.")
    try:
        message = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise MessageInvalid("malformed", "The message is not valid JSON.") from None
    if not isinstance(message, dict):
        raise MessageInvalid("malformed", "A message must be a JSON object.")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise MessageInvalid("missing_type", "A message must have a string `type`.")
    fields = schema.get(kind)
    if fields is None:
        raise MessageInvalid("unknown_type", f"This socket does not accept messages of type {kind[:40]!r}.")
    _check_fields(kind, fields, message)
    return message


def _check_fields(kind, fields, message):
    unknown = message.keys() - fields.keys() - {"type"}
    if unknown:
        names = ", ".join(sorted(name[:40] for name in unknown)[:5])
        raise MessageInvalid("invalid_field", f"{kind} has no field(s) {names}.")
    for name, field in fields.items():
        if name not in message:
            if field.required:
                raise MessageInvalid("invalid_field", f"{kind}.{name} is required.")
            continue
        problem = field.check(message[name])
        if problem:
            raise MessageInvalid("invalid_field", f"{kind}.{name} {problem}.")


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def error_frame(exc: AppError, message=None) -> dict:
    """What a socket sends back for a refused message or action."""
    return {"type": "error", "code": exc.code, "message": exc.message, **naming(message, exc.http_status)}


def naming(message, status):
    """What names the message a refusal is about, where it has an `id`: that id, and the HTTP status of the same
    refusal of a request, so the page treats both alike."""
    return {"id": message["id"], "status": status} if message is not None and "id" in message else {}
