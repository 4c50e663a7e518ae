"""What a fault runs against: a fresh database on the suite's cluster, a redis-server of its own (if the fault
needs one), the tool under gunicorn as deployed, and the client process; all stopped after, also on failure."""

from contextlib import ExitStack

from faults.client_process import ClientProcess
from faults.cluster import engine_for
from faults.redis_server import RedisServer
from faults.tool_server import ToolServer


class Stage:
    def __init__(self, suite, name, *, workers, redis=True):
        self.suite, self.name, self.workers, self.with_redis = suite, name, workers, redis
        self._stack = ExitStack()

    def __enter__(self):
        try:
            self.database_url = self.suite.cluster.fresh_database()
            self.engine = engine_for(self.database_url)
            self._stack.callback(self.engine.dispose)
            self.redis = RedisServer(self.suite.workdir) if self.with_redis else None
            if self.redis is not None:
                self._stack.callback(self.redis.stop)
            self.server = ToolServer(self.suite.workdir, database_url=self.database_url, workers=self.workers,
                                     redis_url=self.redis and self.redis.url, name=self.name)
            self._stack.callback(self.server.stop)
        except BaseException:
            self._stack.close()
            raise
        return self

    def start_clients(self, plan):
        clients = ClientProcess(self.suite.workdir, self.name, plan)
        self._stack.callback(clients.stop)
        return clients

    def __exit__(self, *exc):
        self._stack.close()
        return False
