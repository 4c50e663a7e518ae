"""The one-line calls the rest of the tool makes where a counted thing happens."""

from lti_tool.metrics.registry import BUS_RECONNECTS, OPEN_SOCKETS, SOCKET_MESSAGES_IN, SOCKET_MESSAGES_OUT, VIOLATIONS


def socket_opened(kind):
    OPEN_SOCKETS.labels(kind).inc()


def socket_closed(kind):
    OPEN_SOCKETS.labels(kind).dec()


def message_received(kind, message):
    SOCKET_MESSAGES_IN.labels(kind, message["type"]).inc()


def message_sent(message):
    SOCKET_MESSAGES_OUT.labels(message.get("type", "unknown")).inc()


def violation_recorded(kind):
    VIOLATIONS.labels(kind).inc()


def bus_reconnect():
    BUS_RECONNECTS.inc()
