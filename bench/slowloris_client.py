"""The slow client of bench/slow_clients.py (slowloris), in its own process: `--connections` connections from
one address (`--source`), each sending half a request head and then one more header byte every `--trickle`
seconds, never the end of the head. A connection the server closes is opened again `--reopen` seconds later, as
slowloris tools do. It stops after `--duration` seconds and writes what it saw to `--out` (JSON): connections
opened, and how long the server kept those it closed."""

import argparse
import asyncio
import json
import random
import resource
import time

HALF_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client\r\nX-Slow: a"


class Tally:
    def __init__(self):
        self.opened = self.connect_errors = self.answered = 0
        self.closed_after = []  # seconds each connection the server closed had been open


async def slow_connection(args, tally, rng, stop_at):
    """One slow connection after another until `stop_at` (each step bounded by it: no task is cancelled)."""
    loop = asyncio.get_running_loop()
    while loop.time() < stop_at:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(args.host, args.port, local_addr=(args.source, 0)),
                timeout=stop_at - loop.time())
        except TimeoutError:
            return
        except OSError:
            tally.connect_errors += 1
            await asyncio.sleep(args.reopen)
            continue
        opened = loop.time()
        tally.opened += 1
        try:
            writer.write(HALF_HEAD)
            next_byte = opened + rng.uniform(0, args.trickle)  # the connections' trickles spread over the interval
            while True:
                wake = min(next_byte, stop_at)
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=max(0.0, wake - loop.time()))
                except TimeoutError:
                    if loop.time() >= stop_at:
                        return
                    writer.write(b"a")
                    await writer.drain()
                    next_byte += args.trickle
                    continue
                tally.answered += bool(data)
                break
        except ConnectionError:
            pass
        finally:
            writer.close()
        tally.closed_after.append(loop.time() - opened)
        await asyncio.sleep(args.reopen)


async def attack(args):
    tally = Tally()
    rng = random.Random(7)
    stop_at = asyncio.get_running_loop().time() + args.duration
    await asyncio.gather(*(slow_connection(args, tally, rng, stop_at) for _ in range(args.connections)))
    return tally


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--source", default="127.0.0.2", help="the client's own address (any of 127.0.0.0/8)")
    p.add_argument("--connections", type=int, default=4200)
    p.add_argument("--trickle", type=float, default=5.0, help="seconds between two bytes of a head")
    p.add_argument("--reopen", type=float, default=1.0, help="seconds before a closed connection is opened again")
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    started = time.monotonic()
    tally = asyncio.run(attack(args))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    closed_after = sorted(tally.closed_after)
    with open(args.out, "w") as out:
        json.dump({"opened": tally.opened, "connect_errors": tally.connect_errors, "answered": tally.answered,
                   "closed": len(closed_after),
                   "closed_after_p50_s": percentile(closed_after, 50),
                   "seconds": time.monotonic() - started, "client_cpu_s": usage.ru_utime + usage.ru_stime}, out)


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    return sorted_values[max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))]


if __name__ == "__main__":
    main()
