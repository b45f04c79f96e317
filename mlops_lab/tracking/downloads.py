"""Writing a run's artifacts to local disk: where each file goes, that it stays inside the
destination, that nothing is overwritten unless asked, and that each file appears whole.

    one file   `models/clf.skops` -> DST (a file), or DST/clf.skops when DST is a folder;
               without DST, ./clf.skops
    a folder   `models` -> its files below DST, keeping their paths relative to `models`;
               without DST, ./models/
"""

from __future__ import annotations

import os
from pathlib import Path

from ..artifacts import write_atomically
from ..errors import InvalidInput, MlopsLabError
from .entities import ArtifactInfo

_CHUNK = 1 << 20


def plan(path: str, artifacts: list[ArtifactInfo], dst: str | os.PathLike | None,
         overwrite: bool) -> tuple[Path, list[tuple[ArtifactInfo, Path]]]:
    """The local file or folder, and (artifact, local target) pairs, all checked before
    anything is written: a download that cannot be completed writes nothing."""
    single = len(artifacts) == 1 and artifacts[0].path == path
    name = path.rsplit("/", 1)[-1]
    if dst is None:
        root = Path.cwd() / name
    else:
        root = Path(dst).expanduser()
        if single and (root.is_dir() or str(dst).endswith(("/", os.sep))):
            root = root / name
    if single:
        pairs = [(artifacts[0], root)]
    else:
        if root.exists() and not root.is_dir():
            raise InvalidInput(f"{str(root)!r} is a file: give a folder to download "
                               f"the {len(artifacts)} artifacts under {path!r} into.")
        pairs = [(a, root / a.path[len(path) + 1:]) for a in artifacts]
    base = (root.parent if single else root).resolve()
    for _, target in pairs:
        # Stored paths were validated when logged; a symlinked folder in dst could still lead
        # elsewhere, so the resolved target must stay below the destination.
        if not target.resolve().is_relative_to(base):
            raise InvalidInput(f"Refusing to write {str(target)!r}: it resolves outside "
                               f"{str(base)!r} (a symbolic link on the way?).")
        if target.is_dir():
            raise InvalidInput(f"{str(target)!r} is a folder: cannot write a file there.")
    existing = [str(t) for _, t in pairs if t.exists()]
    if existing and not overwrite:
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise InvalidInput(f"Not overwriting {', '.join(existing[:3])}{more}: remove "
                           "them, choose another destination, or pass overwrite=True (--force).")
    return root, pairs


def write(stream, target: Path, blob: str) -> int:
    """Copies `stream` to `target` atomically, checking the bytes against the blob's content
    hash before the file appears; returns the size."""
    from blake3 import blake3

    hasher, size = blake3(), 0

    def chunks():
        nonlocal size
        while chunk := stream.read(_CHUNK):
            hasher.update(chunk)
            size += len(chunk)
            yield chunk

    def check():
        if hasher.hexdigest() != blob:
            raise MlopsLabError(f"The stored bytes for {target.name!r} do not match their hash: "
                                "the artifact store is damaged; nothing was written.")

    write_atomically(target, chunks(), before_rename=check)
    return size
