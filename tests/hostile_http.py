"""An HTTP server on 127.0.0.1 that answers as an attacker or a broken LMS would: bodies without end, lengths
that lie, bytes trickled one at a time, redirects elsewhere. It counts the connections it accepted and the bytes
it managed to send, so a test can tell how much the tool really read.

Every answer is bounded (by its size and MAX_SECONDS) and made lazily, so a 400 MB body costs the server nothing.
"""

import json
import socket
import threading
import time

MIB = 1024 * 1024
CHUNK = 64 * 1024
MAX_SECONDS = 30.0
# Small socket buffers on the server's side, so "sent" stays close to what the client took in.
SEND_BUFFER = 16 * 1024


class Answer:
    """A status line with headers, then body chunks, each sent `pause` seconds after the one before."""

    def __init__(self, head, body=(), pause=0.0):
        self.head = head
        self.body = body
        self.pause = pause


def _head(status, headers):
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def json_answer(document, status="200 OK", headers=()):
    body = json.dumps(document).encode()
    return Answer(_head(status, [("Content-Type", "application/json"), ("Content-Length", len(body)), *headers]),
                  [body])


def raw_answer(body, headers, status="200 OK"):
    return Answer(_head(status, headers), [body])


def endless(prefix=b"", filler=b" ", suffix=b"", total=400 * MIB, content_length=None, chunked=True):
    """About `total` bytes: `prefix`, `filler` repeated, `suffix`; chunked (also claiming `content_length`
    if given), or with no length at all (read to the close) when not chunked."""
    headers = [("Content-Type", "application/json")]
    if content_length is not None:
        headers.append(("Content-Length", content_length))
    if chunked:
        headers.append(("Transfer-Encoding", "chunked"))
    return Answer(_head("200 OK", headers), _chunks(prefix, filler, suffix, total, chunked))


def _chunks(prefix, filler, suffix, total, chunked):
    per_block = max(1, CHUNK // len(filler))
    repeats = max(0, total - len(prefix) - len(suffix)) // len(filler)
    pieces = [prefix] if prefix else []
    while repeats or pieces:
        count = min(per_block, repeats)
        repeats -= count
        pieces.append(filler * count)
        if not repeats:
            pieces.append(suffix)
        for piece in filter(None, pieces):
            yield (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
        pieces = []
    if chunked:
        yield b"0\r\n\r\n"


def trickle(head=None, body=b"", pause=0.05):
    """The head (by default a 200 claiming 10,000 bytes), then `body` one byte every `pause` seconds."""
    head = head or _head("200 OK", [("Content-Type", "application/json"), ("Content-Length", 10_000)])
    return Answer(head, (body[i:i + 1] for i in range(len(body))), pause)


def trickle_head(pause=0.05):
    """A status line, then header bytes one every `pause` seconds, never ending the head."""
    header = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000
    return Answer(b"", (header[i:i + 1] for i in range(len(header))), pause)


def redirect(location, status="302 Found"):
    return Answer(_head(status, [("Location", location), ("Content-Length", 0)]))


class HostileServer:
    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.sent = 0
        self.requests = []  # (method, path, headers) of each request, in order
        self._routes = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path, answer):
        """Answer requests for `path` with `answer` (an Answer, or a function of the request's headers)."""
        self._routes[path] = answer

    def close(self):
        self._stop.set()
        self._listener.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                self.connections += 1
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            conn.settimeout(MAX_SECONDS)
            try:
                method, path, headers = _read_request(conn)
            except (OSError, ValueError):
                return
            self.requests.append((method, path, headers))
            answer = self._routes.get(path) or raw_answer(b"not here", [("Content-Length", 8)], "404 Not Found")
            if callable(answer):
                answer = answer(headers)
            self._send(conn, answer)

    def _send(self, conn, answer):
        ends = time.monotonic() + MAX_SECONDS
        try:
            self._send_all(conn, answer.head)
            for piece in answer.body:
                if answer.pause and self._stop.wait(answer.pause) or time.monotonic() > ends:
                    return
                self._send_all(conn, piece)
        except OSError:
            return  # the client hung up: what it took is counted

    def _send_all(self, conn, data):
        view = memoryview(data)
        while view:
            sent = conn.send(view)
            with self._lock:
                self.sent += sent
            view = view[sent:]


def _read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            raise ValueError("closed before the end of the head")
        data += piece
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    remaining = int(headers.get("content-length", 0)) - len(rest)
    while remaining > 0:
        piece = conn.recv(min(remaining, 65536))
        if not piece:
            break
        remaining -= len(piece)
    return method, path, headers
