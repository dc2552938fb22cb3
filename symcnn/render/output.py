"""Writing output files: whole or not at all, a set of files at once, and one clear line when a path is bad.

``write_atomic`` writes one file through a temporary file and a rename.
``staged`` builds a set of files in a temporary folder beside their target and
moves them into place only when the whole set is made, removing what is left
of an earlier set, so a folder never mixes an old file with new ones.
Every ``OSError`` on the way becomes a :class:`~symcnn.errors.SymcnnError`
naming the path and the fix (exit code 2), never a traceback.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from symcnn.errors import SymcnnError


def output_error(path: Path, error: OSError) -> SymcnnError:
    """The one-line error for an output ``path`` that ``error`` kept from being written."""
    blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None and blocker != path:
        return SymcnnError(f"{path}: {blocker} is a file, not a folder; choose an output path outside it (-o)")
    if path.is_dir() and isinstance(error, IsADirectoryError):
        return SymcnnError(f"{path}: is a folder; give a file name, e.g. -o {path / path.name}")
    reason = (error.strerror or str(error)).lower()
    return SymcnnError(f"{path}: cannot write there ({reason}); choose a folder you can write to (-o)")


def output_folder(folder: str | Path) -> Path:
    """``folder``, created if missing.

    Raises:
        SymcnnError: it is a file, or cannot be created (the message says why and what to do).
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SymcnnError(f"{folder}: is a file, not a folder; give a folder (-o DIR; it is created if missing)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise output_error(folder, error) from None
    return folder


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path`` through a temporary file and a rename: never half-written.

    Raises:
        SymcnnError: the path cannot be written (one line: the path, the cause, the fix).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise output_error(path, error) from None
    if path.is_dir():
        raise output_error(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path)))
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise output_error(path, error) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode() if isinstance(data, str) else data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 is for the temporary only
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise output_error(path, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass
class Staging:
    """A set of files being made in ``folder`` (a temporary folder) for ``target``."""

    folder: Path
    target: Path
    moved: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


@contextmanager
def staged(target: str | Path, members: Iterable[str]) -> Iterator[Staging]:
    """Make a set of files in a temporary folder; on success, replace the set in ``target`` with it.

    What the block made is moved into ``target`` (listed in ``moved``);
    ``members`` names every file a set may hold, and a member of an earlier set
    that the block did not make is removed (listed in ``removed``). If the
    block fails, ``target`` is left as it was.

    Raises:
        SymcnnError: ``target`` cannot be created or written.
    """
    target = output_folder(target)
    try:
        folder = Path(tempfile.mkdtemp(dir=target, prefix=".symcnn-"))
    except OSError as error:
        raise output_error(target, error) from None
    staging = Staging(folder, target)
    try:
        yield staging
        made = sorted(path.name for path in folder.iterdir())
        for name in made:
            if (target / name).is_dir():
                raise output_error(target / name, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
        for name in made:
            try:
                os.replace(folder / name, target / name)
            except OSError as error:
                raise output_error(target / name, error) from None
            staging.moved.append(target / name)
        for name in members:
            old = target / name
            if name not in made and old.is_file():
                try:
                    old.unlink()
                except OSError as error:
                    raise output_error(old, error) from None
                staging.removed.append(old)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
