"""Where symcnn's templates and their wording (``words.toml``) are found, and loading the wording."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from symcnn.cnn.vocabulary import QUANTITIES
from symcnn.errors import SymcnnError
from symcnn.files.questions import Question


def template_dirs(extra: str | Path | None = None) -> list[Path]:
    """Where templates are looked up: the user's folder first, then symcnn's own."""
    here = Path(__file__).resolve().parents[1]
    builtin = [d for d in (here / "templates", here.parent / "templates") if d.is_dir()]
    if extra is not None:
        extra = Path(extra)
        if not extra.is_dir():
            raise SymcnnError(f"--template-dir {extra}: no such folder")
        return [extra, *builtin]
    return builtin


def words(template_dir: str | Path | None = None) -> dict[str, Any]:
    """The shared wording (``words.toml``): symcnn's, with the user's folder's entries over it."""
    merged: dict[str, Any] = {"quantities": {key: d.title for key, d in QUANTITIES.items()}}
    for folder in reversed(template_dirs(template_dir)):  # symcnn's first, the user's last
        path = folder / "words.toml"
        if path.is_file():
            with open(path, "rb") as handle:
                try:
                    table = tomllib.load(handle)
                except tomllib.TOMLDecodeError as error:
                    raise SymcnnError(f"{path}: not valid TOML: {error}") from None
            for section, entries in table.items():
                merged[section] = {**merged.get(section, {}), **entries} if isinstance(entries, dict) else entries
    missing = [f"[questions] {q}" for q in Question if q not in merged.get("questions", {})]
    if missing:
        raise SymcnnError(f"words.toml: no wording for {', '.join(missing)}; add it to words.toml")
    return merged
