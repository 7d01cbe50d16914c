#!/usr/bin/env python3
"""A tiny SMTP sink for tests (needs `pip install aiosmtpd`).

    python3 scripts/smtp_sink.py --port N --dir DIR [--fail-first K]

Listens on 127.0.0.1:N (plain SMTP, no TLS, no AUTH) and writes each received message -- the
DATA bytes exactly as received, after SMTP dot-unstuffing -- to DIR/<counter>.eml (1.eml, 2.eml,
...; written to a temporary name then renamed, so a reader never sees half a file). With
--fail-first K the first K DATA commands are answered "451 4.3.0 try again later" and nothing
is written. Prints "ready" on stdout once listening, then runs until killed (SIGTERM/SIGINT).
"""

import argparse
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory, fail_first):
        self.directory = directory
        self.fail_first = fail_first
        self.data_commands = 0
        self.saved = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            if self.data_commands <= self.fail_first:
                return "451 4.3.0 try again later"
            self.saved += 1
            number = self.saved
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        path = os.path.join(self.directory, f"{number}.eml")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
        return "250 2.0.0 OK queued as %d" % number


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    controller = Controller(
        Sink(args.dir, args.fail_first),
        hostname="127.0.0.1",
        port=args.port,
        decode_data=False,
        # Messages of lettre are 7-bit clean, but accept 8BITMIME/SMTPUTF8 senders too.
        enable_SMTPUTF8=True,
        data_size_limit=50 * 1024 * 1024,
    )
    controller.start()
    print("ready", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(3600):
            pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
