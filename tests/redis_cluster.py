"""A throwaway Redis Cluster for tests: three masters (Debian's redis-server) on free loopback ports, each in
its own directory, the slots split three ways. Each node is our own process, stopped by its PID; a node can be
stopped and started again on the same port and directory, where its nodes.conf brings it back into the cluster."""

import subprocess
import time

import redis
from redis.crc import key_slot

from tests.servers import free_port

WAIT = 10


class RedisCluster:
    def __init__(self, directory, masters=3):
        self.nodes = [ClusterNode(free_port(), directory / f"node-{n}") for n in range(masters)]
        try:
            for node in self.nodes:
                node.start()
            self._assign_slots()
        except BaseException:
            self.stop()
            raise
        self.url = f"redis://127.0.0.1:{self.nodes[0].port}/0"

    def _assign_slots(self):
        """CLUSTER ADDSLOTSRANGE on each node and MEET to the first, then wait until every node says ok."""
        step = 16384 // len(self.nodes)
        for n, node in enumerate(self.nodes):
            last = 16383 if n == len(self.nodes) - 1 else (n + 1) * step - 1
            with node.client() as client:
                client.execute_command("CLUSTER", "ADDSLOTSRANGE", n * step, last)
                if n:
                    client.execute_command("CLUSTER", "MEET", "127.0.0.1", self.nodes[0].port, self.nodes[0].bus_port)
        self.wait_ok()

    def add_replica(self, master):
        """A new node that replicates `master` (so the cluster fails over to it when `master` dies)."""
        replica = ClusterNode(free_port(), master.directory.parent / f"node-{len(self.nodes)}")
        replica.start()
        self.nodes.append(replica)
        with replica.client() as client:
            client.execute_command("CLUSTER", "MEET", "127.0.0.1", master.port, master.bus_port)
            self.wait_ok()
            with master.client() as master_client:
                master_id = master_client.execute_command("CLUSTER", "MYID").decode()
            client.execute_command("CLUSTER", "REPLICATE", master_id)
            deadline = time.monotonic() + WAIT
            while client.info("replication").get("master_link_status") != "up":
                assert time.monotonic() < deadline, "the replica did not sync"
                time.sleep(0.05)  # as in wait_ok
        return replica

    def wait_ok(self):
        """Until every running node reports cluster_state:ok and knows every node (gossip takes a moment)."""
        deadline = time.monotonic() + WAIT
        for node in [node for node in self.nodes if node.process]:
            with node.client() as client:
                while True:
                    info = client.cluster("info")
                    if info["cluster_state"] == "ok" and int(info["cluster_known_nodes"]) == len(self.nodes):
                        break
                    assert time.monotonic() < deadline, f"the cluster is not ok: {info}"
                    time.sleep(0.05)  # the cluster bus gives clients no event to wait on

    def node_of(self, key):
        """The node that owns `key`'s hash slot."""
        slot = key_slot(key.encode())
        for node in [node for node in self.nodes if node.process]:
            with node.client() as client:
                if any(start <= slot <= end for start, end in node_slots(client)):
                    return node
        raise AssertionError(f"no node owns slot {slot}")

    def stop(self):
        for node in self.nodes:
            node.stop()


def node_slots(client):
    """(first, last) slot ranges the node itself owns, from CLUSTER NODES."""
    for line in client.execute_command("CLUSTER", "NODES").decode().splitlines():
        fields = line.split()
        if "myself" in fields[2]:
            return [tuple(int(part) for part in span.split("-")) if "-" in span else (int(span), int(span))
                    for span in fields[8:] if not span.startswith("[")]
    return []


class RedisNode:
    """One redis-server of ours: `arguments` after the port and directory (a config file first, if any)."""

    def __init__(self, port, directory, arguments=()):
        self.port = port
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.arguments = list(arguments)
        self.process = None

    def client(self):
        return redis.Redis(port=self.port, socket_connect_timeout=1)

    def start(self):
        log = open(self.directory / "redis.log", "a")
        config = [self.arguments[0]] if self.arguments[:1] and not self.arguments[0].startswith("--") else []
        self.process = subprocess.Popen(
            ["redis-server", *config, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.directory),
             "--save", "", "--appendonly", "no", "--daemonize", "no", *self.arguments[len(config):]],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + WAIT
        with self.client() as client:
            while True:
                assert self.process.poll() is None, (self.directory / "redis.log").read_text()[-1000:]
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, (self.directory / "redis.log").read_text()[-1000:]
                    time.sleep(0.02)  # the server gives no other sign that it is ready

    def stop(self):
        """Stop this redis-server redis-server by its PID: its clients' connections drop, new ones are refused."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=WAIT)
        self.process = None


class ClusterNode(RedisNode):
    def __init__(self, port, directory):
        # Its own port for the cluster bus: the default (port + 10000) may be taken, or above 65535.
        self.bus_port = free_port()
        super().__init__(port, directory, ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                           "--cluster-port", str(self.bus_port), "--cluster-node-timeout", "2000"])
