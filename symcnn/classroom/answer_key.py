"""The answer key of a solved assignment: one exact answer per part and question.

Each entry is what a student would write (a number, a shape ``[C, H, W]``, a
region ``16i - 46 : 16i + 77, 16j - 46 : 16j + 77``) and what the checker is
asked about (``claim_quantity``, ``layer``), so the same key serves the class's
answers.csv, each student's answers.json, the Moodle quiz and grading.
The activation table is a table, not one answer: it is kept out of the key
(its largest entry is the bottleneck question's answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symcnn.formula.plain import region_text
from symcnn.solutions.solution import ActivationTable, Answer, BatchAnswer, ReceptiveFieldAnswer, Solution

CLAIM_QUANTITY = {"bottleneck": "largest_activation_elements"}
"""Questions whose claim, in the checker's vocabulary, has another name."""
UNGRADED = ("activation_table",)


@dataclass(frozen=True)
class KeyEntry:
    """One question's exact answer.

    Attributes:
        part: the part's number; ``number``: ``part.k`` as the solution prints it.
        kind: ``number``, ``shape`` or ``region``.
        value: an int, a list of ints ([C, H, W]) or a region string.
        layer: the network layer the answer is about (receptive field), else None.
    """

    part: int
    number: str
    question: str
    kind: str
    value: Any
    layer: str | None = None

    @property
    def claim_quantity(self) -> str:
        return CLAIM_QUANTITY.get(self.question, self.question)

    @property
    def text(self) -> str:
        """The answer as a student writes it (and answers.csv holds it)."""
        if self.kind == "shape":
            return "[" + ", ".join(str(v) for v in self.value) + "]"
        return str(self.value)


def answer_key(solution: Solution) -> tuple[KeyEntry, ...]:
    """Every gradable question of ``solution`` with its exact answer, in the solution's order."""
    entries = []
    for section in solution.sections:
        for index, item in enumerate(section.items, start=1):
            if item.question in UNGRADED:
                continue
            entries.append(_entry(section.number, f"{section.number}.{index}", item))
    return tuple(entries)


def _entry(part: int, number: str, item: Any) -> KeyEntry:
    if isinstance(item, Answer):
        results = [int(r) for r in item.result]
        if item.question == "output_shape" and len(results) == 3:
            width, height, channels = results
            return KeyEntry(part, number, item.question, "shape", [channels, height, width])
        return KeyEntry(part, number, item.question, "number", results[0])
    if isinstance(item, ActivationTable):
        return KeyEntry(part, number, item.question, "number", int(item.largest))
    if isinstance(item, BatchAnswer):
        return KeyEntry(part, number, item.question, "number", int(item.derivation.result))
    if isinstance(item, ReceptiveFieldAnswer):
        chosen = item.chosen
        return KeyEntry(part, number, item.question, "region", region_text(chosen.rows, chosen.columns, 2),
                        chosen.name)
    raise TypeError(f"no key for {type(item).__name__}")


def key_json(entries: tuple[KeyEntry, ...]) -> list[dict[str, Any]]:
    """The key as answers.json holds it."""
    return [{"part": e.part, "number": e.number, "question": e.question, "answer": e.value,
             **({"layer": e.layer} if e.layer else {})} for e in entries]
