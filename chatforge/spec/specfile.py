"""Reading a spec file's bytes: a regular file of bounded size, never a FIFO, a device or a
folder, so that reading it cannot block or exhaust memory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# A document larger than this is refused before parsing. The largest public specs (GitHub's,
# Stripe's) are some 10 MB, a synthetic one of 10,000 operations 26 MB.
MAX_SPEC_BYTES = 64 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class Unreadable(Exception):
    """The spec cannot be read; the message says why, in words for the user."""


def read(path: Path) -> bytes:
    """The bytes of the spec at `path`; raises Unreadable."""
    try:
        # Non-blocking, so that opening a named pipe with no writer returns at once.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Unreadable(f"cannot read the spec: {exc.strerror or exc}") from None
    try:
        status = os.fstat(handle)
        mode = status.st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise Unreadable(f"the spec is {kind}, not a file; name an OpenAPI 3.1 file")
        if status.st_size > MAX_SPEC_BYTES:
            raise Unreadable(
                f"the file is {status.st_size} bytes; specs are limited to {MAX_SPEC_BYTES}"
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(handle, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_SPEC_BYTES:
                raise Unreadable(
                    f"the file is more than {MAX_SPEC_BYTES} bytes; specs are limited to "
                    f"{MAX_SPEC_BYTES}"
                )
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"cannot read the spec: {exc.strerror or exc}") from None
    finally:
        os.close(handle)
