"""The floor for bench/proctor_room.py: a bare flask-sock app that speaks just enough of the proctoring
protocol for the same load client, with nothing of the tool behind it (no tokens, database, bus or
validation). Each socket has one bounded outbound queue and one writer greenlet (STACK.md); a proctor's
`announce` is serialized once and queued for every student socket; a student's `violation` is relayed to every
dashboard as an `event` and acknowledged at once (the floor for the violation rows: nothing is recorded).
Served like the tool:

    PYTHONPATH=bench gunicorn --config configs/gunicorn.conf.py bare_broadcast_app:app
"""

from gevent import monkey

monkey.patch_all()

import itertools  # noqa: E402
import json  # noqa: E402
import queue  # noqa: E402
import threading  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_sock import Sock  # noqa: E402

QUEUE_SIZE = 256
DASHBOARD_QUEUE_SIZE = 8192  # as the tool's DASHBOARD_QUEUE_SIZE

app = Flask(__name__)
app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": 25, "max_message_size": 65536}
sock = Sock(app)
students = set()
proctors = set()
students_lock = threading.Lock()
event_ids = itertools.count(1)


@app.before_request
def without_compression():
    # As the tool does: no permessage-deflate.
    request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)


@app.get("/healthz")
def healthz():
    return {"ok": True}


class Outbox:
    """One bounded queue and the one greenlet that writes to the socket; a full queue closes the socket."""

    def __init__(self, ws, size):
        self.ws = ws
        self.queue = queue.Queue(maxsize=size)
        self.stopped = False
        self.too_slow = False
        threading.Thread(target=self._write, daemon=True).start()

    def put(self, text):
        if self.stopped:
            return
        try:
            self.queue.put_nowait(text)
        except queue.Full:
            self.too_slow = True
            self.stop()

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    def _write(self):
        while (text := self.queue.get()) is not None:
            try:
                self.ws.send(text)
            except Exception:  # noqa: BLE001  (the peer is gone)
                return
        if self.too_slow:
            self.ws.close(reason=4008)


def serve(ws, on_message, size=QUEUE_SIZE):
    outbox = Outbox(ws, size)
    try:
        while (raw := ws.receive()) is not None:
            on_message(outbox, json.loads(raw))
    finally:
        with students_lock:
            students.discard(outbox)
            proctors.discard(outbox)
        outbox.stop()


def now():
    return datetime.now(timezone.utc).isoformat()


@sock.route("/ws/student")
def student_socket(ws):
    def on_message(outbox, message):
        if message["type"] == "hello":
            with students_lock:
                students.add(outbox)
            outbox.put(json.dumps({"type": "hello"}))
            outbox.attempt_id = message.get("attempt_id")
        elif message["type"] == "heartbeat":
            outbox.put(json.dumps({"type": "time", "now": now()}))
        elif message["type"] == "violation":
            event_id = next(event_ids)
            text = json.dumps({"type": "event", "event": {
                "id": event_id, "attempt_id": outbox.attempt_id, "kind": "violation", "detail": message["kind"],
                "text": message.get("detail"), "at": now()}})
            with students_lock:
                members = list(proctors)
            for member in members:
                member.put(text)
            outbox.put(json.dumps({"type": "ack", "id": message.get("id"), "event_id": event_id}))

    serve(ws, on_message)


@sock.route("/ws/proctor")
def proctor_socket(ws):
    def on_message(outbox, message):
        if message["type"] == "hello":
            with students_lock:
                proctors.add(outbox)
            outbox.put(json.dumps({"type": "hello"}))
        elif message["type"] == "announce":
            text = json.dumps({"type": "announce", "text": message["text"], "at": now()})
            with students_lock:
                members = list(students)
            for member in members:
                member.put(text)
            outbox.put(json.dumps({"type": "ack", "action": "announce"}))

    serve(ws, on_message, DASHBOARD_QUEUE_SIZE)
