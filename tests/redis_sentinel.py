"""A throwaway Redis with Sentinel for tests: a master, its replica and one Sentinel (quorum 1) on free loopback
ports, each our own redis-server in its own directory, stopped by PID."""

import time

from tests.redis_cluster import WAIT, RedisNode
from tests.servers import free_port

MASTER_NAME = "proctor"


class RedisSentinel:
    def __init__(self, directory):
        self.master = RedisNode(free_port(), directory / "master")
        self.replica = None
        self.sentinel = None
        try:
            self.master.start()
            self.replica = RedisNode(free_port(), directory / "replica",
                                     ["--replicaof", "127.0.0.1", str(self.master.port)])
            self.replica.start()
            config = directory / "sentinel" / "sentinel.conf"
            config.parent.mkdir()
            config.write_text(f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master.port} 1\n"
                              f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                              f"sentinel failover-timeout {MASTER_NAME} 5000\n")
            self.sentinel = RedisNode(free_port(), config.parent, [str(config), "--sentinel"])
            self.sentinel.start()
            self._wait(lambda client: any(replica["port"] == self.replica.port
                                          and replica.get("master-link-status") == "ok"
                                          for replica in client.sentinel_slaves(MASTER_NAME)),
                       "the Sentinel did not find the replica in sync")
        except BaseException:
            self.stop()
            raise
        self.url = f"redis://127.0.0.1:{self.sentinel.port}/0"

    def master_port(self):
        with self.sentinel.client() as client:
            return int(client.sentinel_get_master_addr_by_name(MASTER_NAME)[1])

    def failover(self):
        """SENTINEL FAILOVER: the replica becomes the master, the old master its replica (Sentinel drops the old
        master's clients); returns when the Sentinel names the new master."""
        old = self.master_port()
        with self.sentinel.client() as client:
            client.execute_command("SENTINEL", "FAILOVER", MASTER_NAME)
        self._wait(lambda client: self.master_port() != old, "the Sentinel did not fail over")

    def _wait(self, done, message):
        deadline = time.monotonic() + 3 * WAIT
        with self.sentinel.client() as client:
            while not done(client):
                assert time.monotonic() < deadline, message
                time.sleep(0.05)  # Sentinel's state changes give clients no event to wait on

    def stop(self):
        for node in (self.sentinel, self.replica, self.master):
            if node:
                node.stop()
