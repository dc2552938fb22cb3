"""The README's graph section quotes the zoo's spec files and shows what summary prints."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from symcnn.cnn.summary import as_table, summarize
from symcnn.files.spec import read_network, read_toml

ROOT = Path(__file__).resolve().parents[2]
SECTION = (ROOT / "README.md").read_text().split("## Graph networks", 1)[1].split("\n## ", 1)[0]
SPECS = {name: read_toml(ROOT / "examples" / f"{name}.toml") for name in ("resnet18", "googlenet", "unet",
                                                                           "densenet121")}


def test_blocks_and_uses_are_the_zoo_s_own() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", SECTION, flags=re.S)
    assert len(blocks) == 2
    for text in blocks:
        for table in re.split(r"\n(?=\[)", text):
            parsed = tomllib.loads(table)
            if "blocks" in parsed:
                ((name, body),) = parsed["blocks"].items()
                assert any(spec.get("blocks", {}).get(name) == body for spec in SPECS.values()), name
            else:
                (entry,) = parsed["layers"]
                assert any(entry in spec["layers"] for spec in SPECS.values()), entry


def test_printed_lines_are_what_summary_prints() -> None:
    network, values = read_network(ROOT / "examples" / "unet.toml")
    printed = as_table(summarize(network, values, budget="12GiB")).splitlines()
    shown, inside, language = [], False, ""
    for line in SECTION.splitlines():
        if line.startswith("```"):
            inside, language = not inside, line[3:]
        elif inside and not language:
            shown.append(line)
    assert shown and all(line in printed for line in shown)
