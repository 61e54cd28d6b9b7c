"""A real SMTP server for the tests (aiosmtpd), keeping every message it receives.

Each message is written once per envelope recipient, as it arrived (headers and body, with
the envelope in X-Sink-* headers put first), to DIR/<recipient>/<time>-<n>.eml, the recipient
lower-cased. A file appears whole: it is written under a temporary name and renamed.

    python sink.py PORT DIR
"""

import asyncio
import itertools
import os
import sys
import time

from aiosmtpd.controller import Controller

counter = itertools.count()


def folder_name(address: str) -> str:
    # An address is a folder name once path separators and parent references are out.
    name = address.strip().lower().replace("/", "_").replace("\\", "_")
    return "_" + name if name.startswith(".") else name


class Keep:
    def __init__(self, root: str):
        self.root = root

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        head = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        for rcpt in envelope.rcpt_tos:
            folder = os.path.join(self.root, folder_name(rcpt))
            os.makedirs(folder, exist_ok=True)
            name = f"{time.time_ns()}-{next(counter)}.eml"
            tmp = os.path.join(folder, "." + name + ".tmp")
            with open(tmp, "wb") as f:
                f.write(head + data)
            os.rename(tmp, os.path.join(folder, name))
        return "250 Message accepted for delivery"


def main():
    port, root = int(sys.argv[1]), sys.argv[2]
    os.makedirs(root, exist_ok=True)
    controller = Controller(
        Keep(root), hostname="127.0.0.1", port=port, data_size_limit=10 * 1024 * 1024
    )
    controller.start()
    print(f"smtp sink listening on 127.0.0.1:{port}, writing to {root}", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
