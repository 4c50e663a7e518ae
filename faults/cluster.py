"""A throwaway PostgreSQL cluster for the fault suite: initdb in a temporary directory, served on a free
loopback port, restarted or stopped on demand, removed at the end. It never touches the machine's own
PostgreSQL (5432). Run as root, every PostgreSQL command runs as the `postgres` user (runuser)."""

import logging
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from faults import ports

ADMIN_USER = "postgres"
COMMAND_TIMEOUT = 60


class PostgresCluster:
    def __init__(self, workdir):
        self.port = ports.free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-", dir=workdir))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self._owner = None
        if os.geteuid() == 0:
            entry = pwd.getpwnam(ADMIN_USER)
            self._owner = entry.pw_name
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
            # The postgres user must be able to pass through the suite's work directory to reach its own.
            os.chmod(workdir, os.stat(workdir).st_mode | 0o011)
        self._run("initdb", "-D", str(self.data), "-U", ADMIN_USER, "--auth=trust", "-E", "UTF8")
        self.start()

    @property
    def admin_url(self):
        return f"postgresql://{ADMIN_USER}@127.0.0.1:{self.port}/postgres"

    def url(self, database):
        return f"postgresql://{ADMIN_USER}@127.0.0.1:{self.port}/{database}"

    def _options(self):
        # Loopback only, the socket in our own directory; enough connections for two workers' pools,
        # the sweeper and the suite's own checks.
        return f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"

    def _run(self, *command, timeout=COMMAND_TIMEOUT):
        prefix = ["runuser", "-u", self._owner, "--"] if self._owner else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout[-1500:]} {result.stderr[-1500:]}")
        return result

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.log), "-w", "-t", "30",
                  "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self, down_seconds=0.0):
        """`pg_ctl stop -m fast`, `down_seconds` with no server, then start: a restart with a gap.
        Returns (stopped_at, started_at) as epoch seconds."""
        self.stop("fast")
        stopped_at = time.time()
        time.sleep(down_seconds)
        self.start()
        return stopped_at, time.time()

    def server_pid(self):
        pid_file = self.data / "postmaster.pid"
        return int(pid_file.read_text().split()[0]) if pid_file.exists() else None

    def create_database(self):
        """A new, empty database; its URL."""
        name = f"faults_{secrets.token_hex(4)}"
        engine = sa.create_engine(_driver(self.admin_url), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def fresh_database(self):
        """A new database migrated to the app's schema; its URL."""
        url = self.create_database()
        migrate(url)
        return url

    def destroy(self):
        """Stop the server (by pg_ctl on our own data directory) and remove the directory."""
        try:
            if self.server_pid() is not None:
                self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def _driver(url):
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def engine_for(url):
    """An engine for the suite's own reads and writes (not the tool's)."""
    return sa.create_engine(_driver(url), connect_args={"connect_timeout": 5})


def migrate(url):
    """The app's own Alembic migrations, as `flask db upgrade` runs them."""
    from flask_migrate import upgrade

    from lti_tool import create_app
    from lti_tool.db import db

    app = create_app({"APP_ENV": "test", "DATABASE_URL": url})
    with app.app_context():
        upgrade(directory=str(app.config["MIGRATIONS_DIR"]))
        db.engine.dispose()
    # Alembic's logging config (migrations/alembic.ini) turns every logger up to INFO: back to warnings only.
    logging.getLogger().setLevel(logging.WARNING)
