"""Incoming frames: each allowed message passes; every other frame is refused with a reason, never
with a crash."""

import json
import random

import pytest

from lti_tool.errors import Forbidden
from lti_tool.realtime.messages import (
    PROCTOR,
    STUDENT,
    VIOLATION_KINDS,
    Field,
    MessageInvalid,
    choice,
    decode,
    error_frame,
    flag,
    integer,
    number,
    text,
)

MAX_BYTES = 65536

# The tests' own schema, with every kind of field, so they follow the rules and not the protocol.
SCHEMA = {
    "hello": {"token": text(4096)},
    "heartbeat": {"client_time": number(required=False)},
    "violation": {"kind": choice(VIOLATION_KINDS), "client_time": number(), "detail": text(500, required=False)},
    "warn_ack": {"warning_id": integer(1)},
    "extend": {"minutes": integer(1, 1440)},
    "zoom": {"on": flag()},
    "snapshot": {"image": text(2**16)},
}
VALID = [
    {"type": "hello", "token": "eyJ.launch.token"},
    {"type": "heartbeat"},
    {"type": "heartbeat", "client_time": 1712345678.25},
    {"type": "violation", "kind": "tab_hidden", "client_time": 1712345678},
    {"type": "violation", "kind": "multiple_faces", "client_time": 1.5, "detail": "3 faces"},
    {"type": "warn_ack", "warning_id": 7},
    {"type": "extend", "minutes": 10},
    {"type": "zoom", "on": False},
]


@pytest.mark.parametrize("message", VALID, ids=lambda m: m["type"])
def test_each_valid_message_passes(message):
    assert decode(json.dumps(message), SCHEMA, MAX_BYTES) == message


@pytest.mark.parametrize("schema", [STUDENT, PROCTOR], ids=["student", "proctor"])
def test_the_protocol_schemas_start_with_hello_and_declare_every_field(schema):
    assert "hello" in schema
    assert all(isinstance(field, Field) for fields in schema.values() for field in fields.values())


def test_the_violation_kinds_are_the_ones_pages_report():
    assert VIOLATION_KINDS == {
        "tab_hidden", "window_blur", "page_reloaded", "fullscreen_exit", "copy", "paste", "context_menu",
        "devtools_shortcut", "multiple_screens", "network_lost", "no_face", "multiple_faces", "camera_unavailable",
        "screen_share_stopped",
    }


def refusal(raw, schema=SCHEMA, max_bytes=MAX_BYTES):
    with pytest.raises(MessageInvalid) as caught:
        decode(raw, schema, max_bytes)
    return caught.value.code, caught.value.message


@pytest.mark.parametrize("raw, code", [
    (b'{"type": "heartbeat"}', "malformed"),
    ('{"type": "heartbeat"', "malformed"),
    ('{"type": "heartbeat", "client_time": NaN}', "malformed"),
    ("[" * 30000 + "]" * 30000, "malformed"),
    ('["heartbeat"]', "malformed"),
    ('"heartbeat"', "malformed"),
    ('{"kind": "copy"}', "missing_type"),
    ('{"type": 3}', "missing_type"),
    ('{"type": "terminate", "reason": "x"}', "unknown_type"),
    ('{"type": "error"}', "unknown_type"),
    ('{"type": "heartbeat", "admin": true}', "invalid_field"),
])
def test_frames_that_are_not_a_message_for_this_socket_are_refused(raw, code):
    assert refusal(raw)[0] == code


def test_a_frame_over_the_limit_in_bytes_is_refused_even_under_it_in_characters():
    raw = json.dumps({"type": "snapshot", "image": "€" * 30000}, ensure_ascii=False)
    assert len(raw) < MAX_BYTES < len(raw.encode())
    assert refusal(raw) == ("too_large", "A message may be at most 65536 bytes.")


@pytest.mark.parametrize("message, reason", [
    ({"type": "violation", "client_time": 1}, "violation.kind is required."),
    ({"type": "violation", "kind": "screenshot", "client_time": 1}, "violation.kind must be one of"),
    ({"type": "violation", "kind": ["copy"], "client_time": 1}, "violation.kind must be one of"),
    ({"type": "violation", "kind": "copy", "client_time": "now"}, "violation.client_time must be a number."),
    ({"type": "violation", "kind": "copy", "client_time": True}, "violation.client_time must be a number."),
    ({"type": "violation", "kind": "copy", "client_time": 1, "detail": "x" * 501},
     "violation.detail must be 1 to 500 characters."),
    ({"type": "warn_ack", "warning_id": "7"}, "warn_ack.warning_id must be an integer."),
    ({"type": "warn_ack", "warning_id": True}, "warn_ack.warning_id must be an integer."),
    ({"type": "warn_ack", "warning_id": 0}, "warn_ack.warning_id must be from 1 to"),
    ({"type": "hello", "token": ""}, "hello.token must be 1 to 4096 characters."),
    ({"type": "hello", "token": "a\u0000b"}, "hello.token must be plain Unicode text."),
    ({"type": "hello", "token": "a\ud800b"}, "hello.token must be plain Unicode text."),
])
def test_fields_are_checked_against_their_type(message, reason):
    code, text = refusal(json.dumps(message))
    assert code == "invalid_field"
    assert text.startswith(reason)


@pytest.mark.parametrize("message, reason", [
    ({"type": "extend", "minutes": 0}, "extend.minutes must be from 1 to 1440."),
    ({"type": "zoom", "on": 1}, "zoom.on must be true or false."),
    ({"type": "zoom"}, "zoom.on is required."),
])
def test_integers_and_flags_are_checked(message, reason):
    assert refusal(json.dumps(message)) == ("invalid_field", reason)


def test_an_infinite_number_is_not_a_number():
    assert refusal('{"type": "heartbeat", "client_time": 1e999}')[0] == "invalid_field"


def test_error_frame_carries_the_code_and_message_of_any_refusal():
    assert error_frame(MessageInvalid("unknown_type", "No.")) == {"type": "error", "code": "unknown_type",
                                                                  "message": "No."}
    assert error_frame(Forbidden("Not your exam.")) == {"type": "error", "code": "forbidden",
                                                        "message": "Not your exam."}


@pytest.mark.parametrize("schema", [SCHEMA, STUDENT, PROCTOR], ids=["test", "student", "proctor"])
def test_random_frames_are_accepted_or_refused_never_crash(schema):
    rng = random.Random(20240605)
    for _ in range(2000):
        raw = random_frame(rng)
        try:
            message = decode(raw, schema, 4096)
        except MessageInvalid as exc:
            assert exc.code in {"malformed", "too_large", "missing_type", "unknown_type", "invalid_field"}
        else:
            assert message["type"] in schema


def random_frame(rng):
    """A valid message bent a little, random JSON, or random text."""
    shape = rng.random()
    if shape < 0.6:
        message = dict(rng.choice(VALID))
        for _ in range(rng.randint(0, 3)):
            key = rng.choice([*message, "extra", "type"])
            if rng.random() < 0.3:
                message.pop(key, None)
            else:
                message[key] = random_value(rng, depth=2)
        return json.dumps(message, ensure_ascii=rng.random() < 0.5)
    if shape < 0.9:
        return json.dumps(random_value(rng, depth=4))
    return "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 200)))


def random_value(rng, depth):
    kind = rng.randrange(8 if depth else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randint(-(2**64), 2**64)
    if kind == 3:
        return rng.uniform(-1e300, 1e300)
    if kind == 4:
        return rng.choice(["copy", "hello", "tab_hidden", "", "x" * rng.randint(0, 5000), "\u0000", "é€😀"])
    if kind == 5:
        return "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(0, 20)))
    if kind == 6:
        return [random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["type", "kind", "token", "attempt_id", "x"]): random_value(rng, depth - 1)
            for _ in range(rng.randint(0, 4))}
