"""Raw responses kept as evidence: content-addressed, gzip-compressed files under WATCHDOG_HOME.

The address is the SHA-256 of the bytes we keep. When a response named natural persons, what we
keep is the redacted copy; the SHA-256 of the original bytes is recorded beside it so anyone
holding an independent copy of the page can still check it against ours.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def artifact_relpath(sha: str) -> str:
    return f"{sha[:2]}/{sha}.gz"


def write_artifact(root: Path, stored: bytes) -> tuple[str, str, int]:
    """Write `stored` once under its own hash; return (sha256, relative path, compressed size)."""
    sha = sha256_hex(stored)
    rel = artifact_relpath(sha)
    path = root / rel
    if path.exists():
        return sha, rel, path.stat().st_size
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the compressed file identical for identical content.
    packed = gzip.compress(stored, compresslevel=6, mtime=0)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_bytes(packed)
    os.replace(tmp, path)  # atomic: a crash never leaves a half-written artifact under its hash
    return sha, rel, len(packed)


def read_artifact(root: Path, sha: str) -> bytes:
    """Return the stored bytes, checking them against their address."""
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValueError("not a SHA-256 hex digest")
    data = gzip.decompress((root / artifact_relpath(sha)).read_bytes())
    if sha256_hex(data) != sha:
        raise ValueError(f"artifact {sha[:12]}… does not match its hash: the file was altered")
    return data


def write_artifact_stream(root: Path, chunks: Iterable[bytes]) -> tuple[str, str, int, int]:
    """Like `write_artifact` for content too large to hold: returns (sha, path, size, stored)."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    tmp = root / f"incoming.{os.getpid()}.{id(chunks)}.gz"
    try:
        with gzip.GzipFile(tmp, "wb", compresslevel=6, mtime=0) as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a file that failed half-way is no evidence of anything
        raise
    sha = digest.hexdigest()
    rel = artifact_relpath(sha)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        tmp.unlink()
    else:
        os.replace(tmp, path)
    return sha, rel, size, path.stat().st_size
