"""Load client for bench/proctor_room.py (run as its own process; proctor_room.py does), with asyncio and
the `websockets` package. One process plays one side:

- `--role students`: many exam pages on /ws/student, each saying hello with its launch token; then, as
  the plan says, idle (memory), listening for announcements (broadcast) or heartbeating every few seconds
  while bursts of students report a violation at the same moment (violations);
- `--role proctor`: one dashboard on /ws/proctor that announces (broadcast) or watches for the violation
  events (violations).

It talks to proctor_room.py by lines: it prints `READY {...}` once every socket has said hello, waits
for `GO`, prints `DONE` when its part is over (for a watching dashboard: after `EXPECT n`, once it has
seen n violations), and on `STOP` closes its sockets, writes its JSON result to --out and exits. Times
are time.time(), so the two processes' figures can be joined. It exits by itself after --lifetime s."""

import argparse
import asyncio
import gc
import json
import random
import resource
import signal
import sys
import time
from collections import Counter

from websockets.asyncio.client import connect

CONNECTING_AT_ONCE = 100


class Page:
    """One socket and what it received."""

    def __init__(self, index, hello):
        self.index = index
        self.hello = hello
        self.ws = None
        self.greeted = asyncio.Event()


class Client:
    def __init__(self, plan):
        self.plan = plan
        self.tag = plan["tag"]
        self.counts = Counter()
        self.errors = Counter()
        self.extensions = Counter()
        self.announces = {}  # text -> [receive times]
        self.announced = {}  # text -> send time (proctor)
        self.violations = {}  # id -> {"attempt_id", "sent", "acked", "event_id"}
        self.events = {}  # text (violation id) -> {"seen", "event_id", "attempt_id"}
        self.pages = []
        self.heartbeats = 0
        self.expected_events = None
        self.expected_announces = 0
        self.sending_done = False
        self.all_received = asyncio.Event()
        self.connect_s = 0.0

    # --- sockets --------------------------------------------------------------------------------

    async def open(self, hellos):
        started = time.monotonic()
        limit = asyncio.Semaphore(CONNECTING_AT_ONCE)
        self.pages = [Page(i, hello) for i, hello in enumerate(hellos)]
        readers = []

        async def one(page):
            async with limit:
                try:
                    # Like a browser: permessage-deflate is offered (the server must refuse it); no client pings.
                    page.ws = await connect(self.plan["url"], max_size=None, ping_interval=None, open_timeout=60,
                                            close_timeout=5)
                except Exception as exc:  # noqa: BLE001  (counted and reported)
                    self.errors[f"connect: {type(exc).__name__}"] += 1
                    return
                self.extensions[page.ws.response.headers.get("Sec-WebSocket-Extensions", "none")] += 1
                readers.append(asyncio.create_task(self.read(page)))
                await page.ws.send(json.dumps(page.hello))
                try:
                    await asyncio.wait_for(page.greeted.wait(), 60)
                except TimeoutError:
                    self.errors["no hello reply in 60 s"] += 1

        await asyncio.gather(*(one(page) for page in self.pages))
        self.connect_s = time.monotonic() - started
        return readers

    async def read(self, page):
        try:
            async for raw in page.ws:
                now = time.time()
                message = json.loads(raw)
                kind = message.get("type")
                self.counts[kind] += 1
                if kind == "hello":
                    page.greeted.set()
                elif kind == "announce":
                    self.announces.setdefault(message["text"], []).append(now)
                    if self.counts["announce"] == self.expected_announces:
                        self.all_received.set()
                elif kind == "ack" and "id" in message:
                    sent = self.violations.get(message["id"])
                    if sent is not None and sent["acked"] is None:
                        sent["acked"], sent["event_id"] = now, message["event_id"]
                        self.counts["violations acked"] += 1
                        if self.counts["violations acked"] == len(self.violations) and self.sending_done:
                            self.all_received.set()
                elif kind == "event":
                    self.on_event(message["event"], now)
                elif kind == "error":
                    self.errors[f"error frame: {message.get('code')}"] += 1
        except Exception as exc:  # noqa: BLE001  (a socket the server dropped: counted)
            self.errors[f"socket: {type(exc).__name__}"] += 1
        if page.ws.close_code not in (None, 1000, 1001):
            self.errors[f"closed by server with {page.ws.close_code}"] += 1

    def on_event(self, event, now):
        text = event.get("text") or ""
        if event.get("kind") == "violation" and text.startswith(self.tag) and text not in self.events:
            self.events[text] = {"seen": now, "event_id": event["id"], "attempt_id": event["attempt_id"]}
            if self.expected_events is not None and len(self.events) >= self.expected_events:
                self.all_received.set()

    async def close(self):
        async def one(page):
            try:
                await page.ws.close()
            except Exception:  # noqa: BLE001
                pass

        await asyncio.wait_for(asyncio.gather(*(one(p) for p in self.pages if p.ws is not None)), 30)

    # --- behaviours -----------------------------------------------------------------------------

    def live(self):
        return [p for p in self.pages if p.greeted.is_set()]

    async def send(self, page, message):
        try:
            await page.ws.send(json.dumps(message))
            return True
        except Exception as exc:  # noqa: BLE001  (counted and reported)
            self.errors[f"send: {type(exc).__name__}"] += 1
            return False

    async def announce(self):
        """The proctor announces `count` times, `interval` s apart; each text carries its number."""
        page = self.pages[0]
        for n in range(self.plan["count"]):
            text = f"{self.tag} announcement {n}"
            self.announced[text] = time.time()
            await self.send(page, {"type": "announce", "text": text})
            await asyncio.sleep(self.plan["interval_s"])

    async def heartbeat(self, page, stop_at):
        period = self.plan["heartbeat_s"]
        next_at = time.monotonic() + random.random() * period
        while next_at < stop_at:
            await asyncio.sleep(next_at - time.monotonic())
            self.heartbeats += await self.send(page, {"type": "heartbeat", "client_time": time.time() * 1000,
                                                      "visible": True})
            next_at += period

    async def violations_load(self):
        """Every page heartbeats; every `burst_every_s` a burst of `burst_size` pages reports a violation at
        the same moment. Ends when the duration is over and every violation sent was acknowledged."""
        rng = random.Random(self.plan["seed"])
        kinds = ["tab_hidden", "window_blur", "fullscreen_exit", "copy", "paste", "network_lost"]
        stop_at = time.monotonic() + self.plan["duration_s"]
        live = self.live()
        beats = [asyncio.create_task(self.heartbeat(p, stop_at)) for p in live]
        burst = 0
        await asyncio.sleep(self.plan["burst_every_s"] / 2)
        while time.monotonic() < stop_at:
            for page in rng.sample(live, min(len(live), self.plan["burst_size"])):
                vid = f"{self.tag}-{burst}-{page.index}"
                sent = time.time()
                self.violations[vid] = {"attempt_id": page.hello["attempt_id"], "sent": sent, "acked": None,
                                        "event_id": None}
                await self.send(page, {"type": "violation", "kind": rng.choice(kinds), "client_time": sent * 1000,
                                       "id": vid, "detail": vid})
            burst += 1
            await asyncio.sleep(self.plan["burst_every_s"])
        await asyncio.gather(*beats)
        self.sending_done = True
        if self.counts["violations acked"] == len(self.violations):
            self.all_received.set()
        await self.wait_all(30)

    async def wait_all(self, timeout):
        try:
            await asyncio.wait_for(self.all_received.wait(), timeout)
        except TimeoutError:
            pass

    def result(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "connected": len(self.live()), "sockets": len(self.pages),
            "connect_s": self.connect_s, "errors": dict(self.errors), "counts": dict(self.counts),
            "extensions": dict(self.extensions), "announces": self.announces, "announced": self.announced,
            "violations": self.violations, "events": self.events, "heartbeats": self.heartbeats,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }


async def lines():
    """stdin, one line at a time, without blocking the loop."""
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line.split()


def say(*words):
    print(*words, flush=True)


async def run(role, plan, out):
    client = Client(plan)
    if role == "students":
        hellos = [{"type": "hello", "token": s["token"], "attempt_id": s["attempt_id"]} for s in plan["students"]]
    else:
        hellos = [{"type": "hello", "token": plan["token"], "exam_id": plan["exam_id"]}]
    readers = await client.open(hellos)
    # The client's own collections of thousands of sockets' objects would show up as latency.
    gc.collect()
    gc.freeze()
    say("READY", json.dumps({"connected": len(client.live()), "errors": client.errors,
                             "connect_s": round(client.connect_s, 2), "extensions": client.extensions}))
    commands = lines()
    async for words in commands:
        if words[0] == "GO":
            break
    behaviour = plan["behaviour"]
    if behaviour == "announce":
        await client.announce()
        say("DONE")
    elif behaviour == "listen":
        client.expected_announces = plan["expect_announces"] * len(client.live())
        await client.wait_all(plan["wait_s"])
        say("DONE")
    elif behaviour == "violations":
        await client.violations_load()
        say("DONE", len(client.violations))
    async for words in commands:
        if words[0] == "EXPECT":
            client.expected_events = int(words[1])
            if len(client.events) >= client.expected_events:
                client.all_received.set()
            await client.wait_all(float(words[2]))
            say("DONE")
        elif words[0] == "STOP":
            break
    await client.close()
    for reader in readers:
        reader.cancel()
    json.dump(client.result(), open(out, "w"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--role", choices=["students", "proctor"], required=True)
    p.add_argument("--plan", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--lifetime", type=float, default=600, help="exit after this many s, whatever happens")
    args = p.parse_args()
    signal.alarm(int(args.lifetime))  # the default SIGALRM action ends the process
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run(args.role, json.load(open(args.plan)), args.out))


if __name__ == "__main__":
    main()
