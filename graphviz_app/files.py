"""Writing the user's files so that a failure never destroys the previous version.

`write_atomically` writes a temporary file beside the target, flushes and fsyncs it, then renames it
over the target (`os.replace` is atomic on POSIX and Windows): with the disk full, or the folder
missing, the old file is untouched and the caller gets an OSError saying why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data`, all or nothing; OSError (with the reason) if it cannot be written."""
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"there is no folder {target.parent}")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
