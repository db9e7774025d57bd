"""Writing files so that a reader never sees half of one: :func:`atomic_write`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(
    path: Path, data: bytes | str, *, replace: bool = True, durable: bool = True
) -> None:
    """Write ``data`` to ``path`` in one step (creating its folder if needed).

    The bytes go to a temporary file in the same folder, are flushed to disk, and the file is
    renamed over ``path``: a crash or a concurrent reader sees the old file or the new one,
    never a truncated one. Text is encoded as UTF-8. With ``replace=False`` the file is
    linked into place instead, which raises :class:`FileExistsError` rather than replace an
    existing file. With ``durable=False`` the bytes are not flushed to disk before the
    rename: a killed process still leaves the old file or the new one, but after a power
    loss the file may be empty; for files derived from others, written by the thousand,
    whose writer flushes them all at once (:meth:`site_tools.site.output.OutputTree.commit`).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
            return
        os.link(tmp, path)  # fails if the target exists
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    Path(tmp).unlink()
