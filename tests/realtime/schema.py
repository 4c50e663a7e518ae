"""The socket tests' own message schema, so they test the glue, not the proctoring protocol."""

from lti_tool.realtime.messages import integer, number, text

SCHEMA = {
    "hello": {"token": text()},
    "heartbeat": {"client_time": number(required=False)},
    "note": {"text": text(2**16)},
    # Asks the server for `count` large messages at once.
    "flood": {"count": integer(1, 1000)},
    # Published on the bus, to every socket in every process.
    "relay": {"text": text()},
}
