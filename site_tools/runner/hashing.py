"""The content hash of a claim: everything its runs depend on, and nothing else.

It covers the script, the local helper modules it imports (followed transitively inside
``repro/``), the YAML's ``reproduction`` and ``predictions``, and the Python, numpy and torch
versions. Editing a claim's title or statement does not rerun it; editing a helper reruns
exactly the claims whose scripts import it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import platform
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from site_tools.models import Claim

HASH_SCHEME = "v1"


@cache
def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def environment_versions() -> dict[str, str | None]:
    return {"python": platform.python_version(), "numpy": package_version("numpy"),
            "torch": package_version("torch")}


def local_imports(script: Path, repro: Path) -> list[Path]:
    """Helper modules under ``repro/`` that ``script`` imports, directly or not, sorted."""
    found: set[Path] = set()
    todo = [script]
    while todo:
        current = todo.pop()
        try:
            tree = ast.parse(current.read_bytes(), filename=str(current))
        except (SyntaxError, OSError, ValueError):
            continue  # the run itself will report it
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                candidate = repro / (name.split(".")[0] + ".py")
                if candidate.is_file() and candidate not in found and candidate != script:
                    found.add(candidate)
                    todo.append(candidate)
    return sorted(found)


@dataclass(frozen=True)
class ContentHash:
    """The hash and the named inputs it was computed from (to say why a claim reruns)."""

    digest: str
    parts: dict[str, str]
    """Input name (``script``, ``helper repro/harness.py``, ``predictions``, ``numpy``...) to
    the hash of that input alone."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(claim: Claim, root: Path) -> ContentHash:
    script = root / claim.reproduction.script
    repro = root / "repro"
    parts: dict[str, str] = {"scheme": HASH_SCHEME}
    parts["script"] = _sha(script.read_bytes()) if script.is_file() else "missing"
    for helper in local_imports(script, repro):
        parts[f"helper {helper.relative_to(root).as_posix()}"] = _sha(helper.read_bytes())
    for name in ("reproduction", "predictions"):
        value = getattr(claim, name)
        dumped = value.model_dump(mode="json") if hasattr(value, "model_dump") else \
            [v.model_dump(mode="json") for v in value]
        parts[name] = _sha(json.dumps(dumped, sort_keys=True).encode())
    for name, version in environment_versions().items():
        parts[name] = version or "absent"
    digest = _sha(json.dumps(parts, sort_keys=True).encode())
    return ContentHash(digest, parts)
