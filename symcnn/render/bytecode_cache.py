"""jinja2's compiled templates kept between runs, under the user's cache folder.

Compiling symcnn's templates takes a few tenths of a second, more than a
solution's own arithmetic (see ``bench/results.md``); loading their bytecode
takes a few milliseconds. The folder is ``$XDG_CACHE_HOME/symcnn`` (default
``~/.cache/symcnn``), one subfolder per jinja2 and Python version. jinja2
checks each entry against its template's source, so an edited template is
compiled again. A folder that cannot be made or written only costs the speed:
rendering never fails because of the cache.
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket


class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A file-system bytecode cache that treats an unreadable or unwritable folder as a miss."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):  # unreadable or truncated: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def cache_folder() -> Path:
    """Where compiled templates go: ``$XDG_CACHE_HOME/symcnn/jinja-<version>-py<major.minor>``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    version = f"jinja-{jinja2.__version__}-py{sys.version_info[0]}.{sys.version_info[1]}"
    return Path(base) / "symcnn" / version


def bytecode_cache(fmt: str) -> jinja2.BytecodeCache | None:
    """The cache for templates of ``fmt`` (their delimiters differ), or None where no folder can be made."""
    folder = cache_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return QuietBytecodeCache(str(folder), f"{fmt}-%s.cache")
