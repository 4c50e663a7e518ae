"""Servers for tests: free loopback ports, and the tool's gunicorn (gevent worker, configs/gunicorn.conf.py)
as a subprocess, for tests that need the production server or several processes standing for several hosts."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WAIT = 5


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app, env, log_path, workers=1, port=None):
    """Serve `app` ("module:attribute") with `env` added to this environment; yields the port."""
    with gunicorn_process(app, env, log_path, workers, port) as (port, _):
        yield port


@contextlib.contextmanager
def gunicorn_process(app, env, log_path, workers=1, port=None):
    """gunicorn() that yields the port and the master's Popen, for a test that signals it."""
    port = port or free_port()
    env = {**os.environ, **env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "configs/gunicorn.conf.py", app],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process, log_path)
            yield port, process
        finally:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
            try:
                process.wait(timeout=2 * WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_port(port, process, log_path):
    deadline = time.monotonic() + 6 * WAIT
    while True:
        assert process.poll() is None, f"gunicorn exited: {log_path.read_text()}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"gunicorn did not listen: {log_path.read_text()}"
            time.sleep(0.05)  # a port gives no other sign that it is ready
