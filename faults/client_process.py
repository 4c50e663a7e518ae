"""Runs faults/clients.py as its own process (gevent there, none here): writes its plan, waits until its
sockets are in, and reads what it recorded. Stopped by its PID if it outlives its plan."""

import json
import subprocess
import sys
import time
from pathlib import Path

from faults.processes import die_with_parent, stop_process

ROOT = Path(__file__).resolve().parents[1]


class ClientProcess:
    def __init__(self, workdir, name, plan):
        self.plan_path = Path(workdir) / f"{name}-plan.json"
        self.result_path = Path(workdir) / f"{name}-result.json"
        self.log_path = Path(workdir) / f"{name}-clients.log"
        plan = {**plan, "ready_file": str(Path(workdir) / f"{name}-ready.json")}
        self.ready_path = Path(plan["ready_file"])
        self.plan = plan
        self.plan_path.write_text(json.dumps(plan))
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen([sys.executable, "-m", "faults.clients", str(self.plan_path),
                                         str(self.result_path)], cwd=ROOT, stdout=self._log,
                                        stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

    def wait_ready(self, timeout=45):
        """(time, sockets connected) once the clients are in; raises if they never are."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready_path.exists():
                ready = json.loads(self.ready_path.read_text())
                return ready["at"], ready["connected"]
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"the clients never got ready: {self.log_path.read_text()[-2000:]}")

    def result(self):
        """Wait for the clients to finish their plan (bounded) and return what they recorded."""
        timeout = max(0.0, self.plan["until"] - time.time()) + 90
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_process(self.process, timeout=5)
        self._log.close()
        if not self.result_path.exists():
            raise RuntimeError(f"the clients wrote no result: {self.log_path.read_text()[-3000:]}")
        return json.loads(self.result_path.read_text())

    def stop(self):
        stop_process(self.process, timeout=5)
        if not self._log.closed:
            self._log.close()
