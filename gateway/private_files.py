"""Files only their owner may read: the SQLite database, the development key and JWT
secret, and the folders made for them.

    private_directory(Path(".talentgraph"))          # made 0700 if missing
    secret = create_private_file(path, new_secret)   # 0600; an existing file's text wins

Modes are set with an explicit ``chmod`` after creation, so the process umask never
widens them, and a file found wider than 0600 is narrowed when the gateway opens it.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_directory(path: Path, *, narrow: bool = False) -> None:
    """Make ``path`` and its missing parents as 0700. An existing folder is narrowed to
    0700 only with ``narrow`` (a folder that holds nothing but the gateway's secrets);
    otherwise it is left as it is."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue
        folder.chmod(PRIVATE_DIR)
    if narrow and stat.S_IMODE(path.stat().st_mode) & ~PRIVATE_DIR:
        path.chmod(PRIVATE_DIR)


def narrow_file(path: Path) -> None:
    """Take away every permission but the owner's read and write, if ``path`` exists."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & ~PRIVATE_FILE:
        path.chmod(PRIVATE_FILE)


def private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 unless it exists; narrow it to 0600 if it is wider."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        narrow_file(path)
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def create_private_file(path: Path, text: str) -> str:
    """Write ``text`` to ``path`` as 0600 unless the file exists; return the file's text.

    The text is written to a private temporary file first and linked into place, which
    fails if ``path`` exists: two processes starting together agree on one secret, and
    nobody ever reads a half-written one.
    """
    if not path.exists():
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        with os.fdopen(fd, "w") as handle:
            os.fchmod(fd, PRIVATE_FILE)
            handle.write(text)
            handle.flush()
            os.fsync(fd)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    narrow_file(path)
    return path.read_text().strip()
