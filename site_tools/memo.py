"""The site's memo files: JSON remembered between builds, dropped when stale or damaged.

Every memo of the site generator (run results, the export's entry files, the generated
folder's manifest) is one JSON object stamped with a version. A memo that is missing,
damaged or of another version reads as empty: losing it only costs time. A memo without a
path (``lmhub build --no-cache``) remembers nothing and writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from site_tools.fsio import atomic_write


class JsonMemo:
    """A memo file holding one JSON object under a version stamp.

    Parameters
    ----------
    path
        The file; ``None`` for a memo that is never read or written.
    version
        Stamp of the stored layout; a file with another stamp is ignored.
    """

    def __init__(self, path: Path | None, version: str):
        self.path = path
        self.version = version

    def load(self) -> dict[str, Any]:
        """The stored entries, or ``{}`` when there are none usable."""
        if self.path is None:
            return {}
        try:
            loaded = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(loaded, dict) or loaded.get("version") != self.version:
            return {}
        entries = loaded.get("entries")
        return entries if isinstance(entries, dict) else {}

    def save(self, entries: dict[str, Any]) -> None:
        """Replace the stored entries (atomically)."""
        if self.path is not None:
            self.save_json(json.dumps(entries, sort_keys=True).encode())

    def save_json(self, entries: bytes) -> None:
        """Replace the stored entries with ``entries``, a JSON object already serialised (a
        serialiser of typed entries writes it in a fraction of the time of :meth:`save`).
        The file is the object ``{"entries": ..., "version": ...}``, keys sorted."""
        if self.path is not None:
            version = json.dumps(self.version).encode()
            atomic_write(self.path, b'{"entries": ' + entries + b', "version": ' + version + b"}")
