"""A throwaway redis-server for the fault suite: our own process on a free loopback port, no persistence,
stopped and started again on the same port on demand. The machine's Redis (6379) is never touched."""

import subprocess
import time

from faults import ports
from faults.processes import die_with_parent, stop_process


class RedisServer:
    def __init__(self, workdir):
        self.port = ports.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = workdir / f"redis-{self.port}.log"
        self.process = None
        self.start()

    def start(self):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        log.close()
        if not ports.wait_listening(self.port, 10, alive=lambda: self.process.poll() is None):
            raise RuntimeError(f"redis-server did not start: {self.log_path.read_text()[-1000:]}")

    def stop(self):
        """Stop our redis-server (by its PID): every client connection drops, new ones are refused."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def restart_after(self, seconds):
        """Stop now, start again after `seconds`; returns (stopped_at, started_at) as epoch seconds."""
        self.stop()
        stopped_at = time.time()
        time.sleep(seconds)
        self.start()
        return stopped_at, time.time()
