"""The digest of the generator's own code, which every memo of a build is keyed on."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import site_tools


@cache
def code_digest() -> str:
    """Hash of every Python and asset file of the ``site_tools`` package, read once."""
    digest = hashlib.sha256()
    package = Path(site_tools.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".css", ".js") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
