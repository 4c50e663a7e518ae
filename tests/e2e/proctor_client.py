"""The proctor's side of an exam played by a Python websocket client on /ws/proctor, with a test maker's launch
token from the demo course: what the dashboard sends and receives, without the dashboard page."""

import json
import time

from simple_websocket import Client

WAIT = 15


class ProctorClient:
    """The dashboard socket of one exam: send commands, wait for the messages they cause."""

    def __init__(self, tool_url, token, exam_id):
        self.ws = Client.connect(tool_url.replace("http", "ws", 1) + "/ws/proctor")
        self.seen = []
        self.send(type="hello", token=token, exam_id=exam_id)
        self.next("hello")

    def send(self, **message):
        self.ws.send(json.dumps(message))

    def command(self, **message):
        """A command to the server, which acknowledges it."""
        self.send(**message)
        return self.next("ack", action=message["type"])

    def next(self, kind, timeout=WAIT, **match):
        """The first message of type `kind` whose fields equal `match`, already seen or arriving within
        `timeout` seconds; the others are kept for later calls."""
        for message in self.seen:
            if _matches(message, kind, match):
                self.seen.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            raw = self.ws.receive(timeout=left)
            if raw is None:
                break
            self.seen.extend(one_per_page(json.loads(raw)))
            for message in self.seen:
                if _matches(message, kind, match):
                    self.seen.remove(message)
                    return message
        raise AssertionError(f"no {kind} {match or ''} within {timeout} s; got {self.seen}")

    def event(self, kind, detail=None, timeout=WAIT):
        """The next proctoring event of `kind` (for a violation, of that `detail`)."""
        match = {"kind": kind} if detail is None else {"kind": kind, "detail": detail}
        return self.next("event", timeout, event=match)["event"]

    def close(self):
        self.ws.close()


def _matches(message, kind, match):
    if message["type"] != kind:
        return False
    for key, wanted in match.items():
        value = message.get(key)
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or any(value.get(k) != v for k, v in wanted.items()):
                return False
        elif value != wanted:
            return False
    return True


def one_per_page(message):
    """A dashboard's presence message names every page that changed: one message per page, for matching."""
    if message["type"] != "presence":
        return [message]
    return [{"type": "presence", **page} for page in message["pages"]]
