#!/usr/bin/env python3
"""Live-events benchmark (issue 16): N concurrent /api/events clients, one update.

Opens N raw HTTP/1.0 SSE connections (asyncio, no dependencies), waits until
every one has received the current `leaderboard` document (sent on connect),
samples the server's RSS, then waits for the next `leaderboard` event (the
next poll cycle publishes one) and reports, for that one update:
  - the spread from the first client's receipt to the last one's
    (the time from the publish to the first receipt is the server's work of
    one broadcast, measured in-process by tests/it/live.rs);
  - how many clients received it;
  - the server's RSS with N idle streams, before and after.
Exits non-zero when a client failed to connect or missed the update.

Usage: bench_sse.py --url http://127.0.0.1:PORT --clients 1000 [--server-pid PID]
"""

import argparse
import asyncio
import sys
import time
from urllib.parse import urlparse


def rss_kib(pid):
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Client:
    def __init__(self):
        self.buffer = b""
        self.reader = None
        self.writer = None

    async def connect(self, host, port):
        self.reader, self.writer = await asyncio.open_connection(host, port)
        self.writer.write(b"GET /api/events HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n")
        await self.writer.drain()

    async def next_event(self, name):
        """Reads until an event called `name` arrives; returns its receipt time."""
        marker = b"event: " + name.encode() + b"\n"
        while True:
            end = self.buffer.find(b"\n\n")
            while end >= 0:
                block = self.buffer[: end + 2]
                self.buffer = self.buffer[end + 2 :]
                if marker in block:
                    return time.monotonic()
                end = self.buffer.find(b"\n\n")
            chunk = await self.reader.read(65536)
            if not chunk:
                raise ConnectionError("stream closed")
            self.buffer += chunk

    def close(self):
        if self.writer:
            self.writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    url = urlparse(args.url)
    host, port = url.hostname, url.port or 80

    rss_before = rss_kib(args.server_pid)
    clients = [Client() for _ in range(args.clients)]
    started = time.monotonic()
    await asyncio.gather(*(c.connect(host, port) for c in clients))
    # Everyone gets the current document on connect.
    await asyncio.wait_for(
        asyncio.gather(*(c.next_event("leaderboard") for c in clients)), args.timeout
    )
    connected_in = time.monotonic() - started
    rss_idle = rss_kib(args.server_pid)

    # The next publish: one update to all of them.
    results = await asyncio.wait_for(
        asyncio.gather(
            *(c.next_event("leaderboard") for c in clients), return_exceptions=True
        ),
        args.timeout,
    )
    times = [r for r in results if isinstance(r, float)]
    rss_after = rss_kib(args.server_pid)
    for c in clients:
        c.close()

    print(f"| SSE clients | {args.clients} (connected and served the current board in {connected_in:.2f} s) |")
    print("|---|---|")
    print(f"| received the update | {len(times)} of {args.clients} |")
    if times:
        print(f"| first to last receipt | {(max(times) - min(times)) * 1000:.1f} ms |")
    if rss_before is not None:
        print(
            f"| server RSS | {rss_before // 1024} MB before, {rss_idle // 1024} MB with "
            f"{args.clients} idle streams, {rss_after // 1024} MB after the update |"
        )
    if len(times) != args.clients:
        print("some clients missed the update", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
