#!/usr/bin/python3
# smtp-sink.py: a real SMTP server on loopback for the identity tests
#
# Debian's python3-aiosmtpd accepts every message and writes each one to
# DIR/<n>.eml (recipients first, one "X-Rcpt-To:" line each, then the
# message as received). It prints "ready PORT" once it listens, and stops
# when its standard input closes, so it never outlives the test.
#
#   /usr/bin/python3 tests/smtp-sink.py DIR
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = os.path.join(self.directory, "%d.eml" % self.count)
        head = "".join("X-Rcpt-To: %s\r\n" % r for r in envelope.rcpt_tos)
        # Written under a temporary name, then renamed: a reader never sees half a mail.
        with open(name + ".tmp", "wb") as f:
            f.write(head.encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    port = free_port()
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready %d" % port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
