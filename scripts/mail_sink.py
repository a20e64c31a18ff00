#!/usr/bin/env python3
"""A real SMTP server for tests: receives mail on 127.0.0.1 and writes it to a directory.

    python3 scripts/mail_sink.py --port 0 --dir DIR [--fail-first N] [--reject RCPT ...]

Prints `LISTENING <port>` on stdout once it accepts connections. Each accepted message is
written as `DIR/<n>-<id>.eml` (the raw message) next to `DIR/<n>-<id>.rcpt`, a JSON object
with the envelope (`mailFrom`, `rcptTos`) and, for convenience, the decoded `subject`,
`text` and `html` parts and the `messageId`. The `.rcpt` file is written first and both are renamed into place,
so a reader that sees an `.eml` also sees its `.rcpt`.

Failure modes, to test retries and permanent failures:
  --fail-first N   answer the first N messages' DATA with `451` (transient)
  --reject RCPT    answer `RCPT TO:<RCPT>` with `550` (permanent); may be repeated

The server stops when its standard input is closed (the test that started it went away).
Needs the PyPI package `aiosmtpd`.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import sys
import uuid

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory, fail_first, reject):
        self.directory = directory
        self.failures_left = fail_first
        self.reject = {r.lower() for r in reject}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.failures_left > 0:
            self.failures_left -= 1
            return "451 4.3.0 temporary failure, try again later"
        self.count += 1
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        base = os.path.join(self.directory, "%06d-%s" % (self.count, uuid.uuid4().hex))
        meta = {"mailFrom": envelope.mail_from, "rcptTos": list(envelope.rcpt_tos)}
        meta.update(decode(raw))
        write_atomically(base + ".rcpt", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        write_atomically(base + ".eml", raw)
        return "250 2.0.0 Message accepted for delivery"


def decode(raw):
    """Subject and text/html bodies, decoded (best effort)."""
    out = {"subject": None, "text": None, "html": None, "messageId": None}
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        out["subject"] = str(msg["subject"]) if msg["subject"] is not None else None
        out["messageId"] = str(msg["message-id"]).strip() if msg["message-id"] is not None else None
        for kind in ("plain", "html"):
            part = msg.get_body(preferencelist=(kind,))
            if part is not None:
                out["text" if kind == "plain" else "html"] = part.get_content()
    except Exception as e:  # a malformed message is still stored raw
        out["error"] = str(e)
    return out


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    handler = Sink(args.dir, args.fail_first, args.reject)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="mail-sink", ident="quorum mail sink"),
        host=args.host,
        port=args.port,
    )
    port = server.sockets[0].getsockname()[1]
    print("LISTENING %d" % port, flush=True)

    # Stop when stdin closes (EOF), so a sink never outlives its test.
    stdin_closed = loop.create_future()

    def on_stdin():
        if not sys.stdin.buffer.read1(4096):
            loop.remove_reader(sys.stdin.fileno())
            if not stdin_closed.done():
                stdin_closed.set_result(None)

    try:
        loop.add_reader(sys.stdin.fileno(), on_stdin)
    except (OSError, ValueError, NotImplementedError):
        pass  # stdin is not pollable (e.g. a file); run until killed
    await stdin_closed
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
