"""The chain witness file: signed chain heads appended outside the database, and read back."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from flask import current_app

from bakery.domain.witness import MISSING, Witness, read_witness

DEFAULT_NAME = "chain-witness.log"


def witness_path() -> Path:
    """Where the witness lives: `WITNESS_PATH` (relative to the instance folder), by default
    `instance/chain-witness.log`."""
    path = Path(current_app.config.get("WITNESS_PATH") or DEFAULT_NAME)
    return path if path.is_absolute() else Path(current_app.instance_path) / path


def append_lines(path: Path, lines: list[str]) -> None:
    """Append whole lines to the witness and fsync them before returning.

    Rule: several worker processes append to one file, so it is opened with O_APPEND, held under
    an exclusive flock, and each call's lines go out in one write(): lines never interleave.
    """
    data = "".join(lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        written = os.write(fd, data)
        while written < len(data):  # a short write is rare on a local file; finish it under the lock
            written += os.write(fd, data[written:])
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        # The new file's name must survive a power cut as well as its contents.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def load(key: bytes) -> Witness:
    """Read the witness once (for one verification), or `MISSING` when there is no file.

    Rule: read under a shared flock, so a line being appended is never read half-written.
    """
    path = witness_path()
    try:
        handle = path.open("r", encoding="utf-8", errors="replace", newline="\n")
    except FileNotFoundError:
        return MISSING
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        return read_witness(key, handle)
