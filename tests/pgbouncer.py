"""A throwaway pgbouncer in transaction pooling mode in front of the test PostgreSQL: its own config, log and
unix socket in a temporary directory, a free loopback port, started and stopped by its PID. Databases created
on the server after it started are reached through its `*` entry, so the tests' fresh databases need no reload.

`session_state(url)` looks into every server connection pgbouncer holds for what transaction pooling would hand
to the next client: a session-level SET, an advisory lock, a prepared statement, a LISTEN, a temporary table, an
open cursor. The tool must leave none of them."""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2

from tests.servers import free_port

BINARY = "/usr/sbin/pgbouncer"
WAIT = 10
# pgbouncer sets these on a server connection itself when it pairs it with a client that asked for others.
TRACKED_BY_PGBOUNCER = {"client_encoding", "datestyle", "timezone", "standard_conforming_strings", "application_name"}
# A small pool, so the tests' connections share few server connections, as a school's many workers would.
POOL_SIZE = 4
CONFIG = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir = {dir}
auth_type = trust
auth_file = {dir}/userlist.txt
admin_users = {user}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
logfile = {dir}/pgbouncer.log
"""


def version():
    run = subprocess.run([BINARY, "--version"], capture_output=True, text=True, check=True)
    return run.stdout.split("\n", 1)[0].strip()


class Pgbouncer:
    def __init__(self, server_url):
        self.server = urlsplit(server_url)
        self.dir = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
        self.port = free_port()
        self.process = None

    def url(self, database):
        """The URL a client uses to reach `database` through pgbouncer."""
        return f"postgresql://{self.server.username}@127.0.0.1:{self.port}/{database}"

    def admin_url(self):
        return self.url("pgbouncer")

    @property
    def log(self):
        path = self.dir / "pgbouncer.log"
        return path.read_text() if path.exists() else ""

    def start(self):
        user = self.server.username
        (self.dir / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.dir / "pgbouncer.ini").write_text(CONFIG.format(
            host=self.server.hostname, port=self.server.port or 5432, listen_port=self.port, dir=self.dir,
            user=user, pool_size=POOL_SIZE))
        command = [BINARY, str(self.dir / "pgbouncer.ini")]
        if os.geteuid() == 0:
            # pgbouncer refuses to run as root: it drops to the postgres account, which must own its directory.
            account = pwd.getpwnam("postgres")
            for path in (self.dir, *self.dir.iterdir()):
                os.chown(path, account.pw_uid, account.pw_gid)
            command[1:1] = ["-u", "postgres"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WAIT
        while True:
            assert self.process.poll() is None, f"pgbouncer exited: {self.log}"
            try:
                psycopg2.connect(self.admin_url(), connect_timeout=1).close()
                return self
            except psycopg2.OperationalError:
                assert time.monotonic() < deadline, f"pgbouncer did not answer: {self.log}"
                time.sleep(0.05)  # a port gives no other sign that it is ready

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # pgbouncer's immediate shutdown
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def console(self, command):
        """A command of pgbouncer's admin console (SHOW SERVERS, RECONNECT db...); its rows as dicts."""
        conn = psycopg2.connect(self.admin_url())
        conn.autocommit = True  # the console takes no BEGIN
        try:
            with conn.cursor() as cursor:
                cursor.execute(command)
                if cursor.description is None:
                    return []
                names = [c.name for c in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            conn.close()

    def transactions(self, database):
        """How many transactions pgbouncer has carried to `database` since it started."""
        return sum(row["total_xact_count"] for row in self.console("SHOW STATS") if row["database"] == database)

    def session_state(self, database):
        """What each of pgbouncer's server connections to `database` carries from one transaction to the next:
        {backend pid: [what]}, empty lists when clean."""
        servers = {row["remote_pid"] for row in self.console("SHOW SERVERS")
                   if row["database"] == database and not row["close_needed"]}
        # One client per server connection, each inside a transaction, so pgbouncer hands each a different one.
        clients = [psycopg2.connect(self.url(database)) for _ in servers]
        try:
            found = {}
            for client in clients:
                with client.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    pid = cursor.fetchone()[0]
                    found[pid] = _leftovers(cursor)
            return found
        finally:
            for client in clients:
                client.rollback()
                client.close()


def _leftovers(cursor):
    queries = {
        "setting": "SELECT name || ' = ' || setting FROM pg_settings WHERE source = 'session'",
        "advisory lock": "SELECT objid::text FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
        "prepared statement": "SELECT name FROM pg_prepared_statements",
        "listen": "SELECT pg_listening_channels()",
        "temporary table": "SELECT relname FROM pg_class WHERE relnamespace = pg_my_temp_schema()",
        "cursor": "SELECT name FROM pg_cursors",
    }
    leftovers = []
    for kind, query in queries.items():
        cursor.execute(query)
        leftovers += [f"{kind}: {name}" for (name,) in cursor.fetchall()
                      if not (kind == "setting" and name.split(" = ")[0].lower() in TRACKED_BY_PGBOUNCER)]
    return leftovers


@contextlib.contextmanager
def running(server_url):
    bouncer = Pgbouncer(server_url).start()
    try:
        yield bouncer
    finally:
        bouncer.stop()
