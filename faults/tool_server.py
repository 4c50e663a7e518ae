"""The tool as deployed: `gunicorn --config configs/gunicorn.conf.py wsgi:app` (gevent workers, the sweeper and
the grade sender running in every worker), as a subprocess of the suite, stopped by its PID. Its workers are
the master's children."""

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from faults import ports
from faults.processes import children, die_with_parent, stop_process

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60


class ToolServer:
    def __init__(self, workdir, *, database_url, workers, redis_url=None, name="tool", env=None):
        self.port = ports.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_hex(32)
        self.workers_wanted = workers
        self.log_path = Path(workdir) / f"gunicorn-{name}-{self.port}.log"
        environment = {
            **os.environ, "APP_ENV": "development", "SECRET_KEY": self.secret, "DATABASE_URL": database_url,
            "TOOL_BASE_URL": self.base, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers),
            "LOG_LEVEL": "WARNING", **(env or {}),
        }
        environment.pop("REDIS_URL", None)
        if redis_url:
            environment["REDIS_URL"] = redis_url
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "configs/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=environment, stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        if not self.wait_ready(START_TIMEOUT):
            self.stop()
            raise RuntimeError(f"gunicorn did not start: {self.log_path.read_text()[-2000:]}")

    def workers(self):
        return children(self.process.pid)

    def wait_ready(self, timeout, exclude=()):
        """Until /healthz answers and the master has its full set of workers (none of them in `exclude`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            fresh = [pid for pid in self.workers() if pid not in exclude]
            if len(fresh) >= self.workers_wanted:
                try:
                    with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                        if response.status == 200:
                            return True
                except OSError:
                    pass
            time.sleep(0.1)
        return False

    def kill_worker(self, pid):
        """kill -9 one worker, as the kernel's OOM killer or a crash would."""
        if pid not in self.workers():
            raise RuntimeError(f"{pid} is not a worker of gunicorn {self.process.pid}")
        os.kill(pid, signal.SIGKILL)
        return time.time()

    def log_lines(self, *needles):
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if any(n in line for n in needles)]

    def stop(self):
        stop_process(self.process, timeout=15, sig=signal.SIGINT)  # gunicorn's quick shutdown
        self._log.close()
