"""Compiled templates are kept under the user's cache folder; a bad folder costs speed, never output."""

from __future__ import annotations

from pathlib import Path

import pytest

from symcnn.files.assignment import read_assignment
from symcnn.render.bytecode_cache import bytecode_cache, cache_folder
from symcnn.render.documents import environment, render
from symcnn.render.report import context
from symcnn.solutions.solution import solve

CONTEXT = context(solve(read_assignment()))


def rendered(fmt: str) -> str:
    return render(f"solution.{fmt}.j2", fmt, **CONTEXT)


def cached_files(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*.cache")}


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_the_second_render_loads_bytecode_and_writes_the_same(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = rendered(fmt)
    files = cached_files(tmp_path)
    assert cache_folder().parent == tmp_path / "symcnn"
    assert len(files) >= 2 and all(path.name.startswith(f"{fmt}-") for path in files)  # the solution and its parts
    second = rendered(fmt)
    assert cached_files(tmp_path) == files  # loaded, not compiled and written again
    assert second == first


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_an_unusable_cache_folder_only_costs_speed(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with_cache = rendered(fmt)
    monkeypatch.setenv("XDG_CACHE_HOME", str(Path(__file__)))
    assert bytecode_cache(fmt) is None
    assert environment(fmt).bytecode_cache is None
    assert rendered(fmt) == with_cache


def test_a_folder_that_breaks_after_it_was_made_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = rendered("md")
    env = environment("md")
    folder = Path(env.bytecode_cache.directory)  # type: ignore[union-attr]
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes()[:40])  # truncated entries
    assert env.get_template("solution.md.j2").render(**CONTEXT) == expected
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    folder.write_text("not a folder")  # writes now fail
    assert env.get_template("_items.md.j2") is not None
    assert rendered("md") == expected
