"""words.toml against the vocabulary: every question has wording, every quantity a title."""

from __future__ import annotations

from pathlib import Path

import pytest

from symcnn.cnn.vocabulary import QUANTITIES, QuantityKey
from symcnn.errors import SymcnnError
from symcnn.files.questions import LAYER_QUESTIONS, NETWORK_QUESTIONS, Question
from symcnn.render.resources import words


def test_every_question_and_quantity_has_wording() -> None:
    table = words()
    assert set(Question) <= set(table["questions"])
    assert set(QuantityKey) <= set(table["quantities"])
    assert all(QUANTITIES[key].title and QUANTITIES[key].lhs for key in QuantityKey)


def test_questions_are_of_a_layer_or_of_a_network() -> None:
    assert set(LAYER_QUESTIONS) | set(NETWORK_QUESTIONS) == set(Question)
    assert not set(LAYER_QUESTIONS) & set(NETWORK_QUESTIONS)


def test_a_users_words_override_entry_by_entry(tmp_path: Path) -> None:
    (tmp_path / "words.toml").write_text('[quantities]\nparams = "Weights and biases"\n')
    table = words(tmp_path)
    assert table["quantities"]["params"] == "Weights and biases"
    assert table["quantities"]["mults"] == QUANTITIES[QuantityKey.MULTS].title


def test_words_without_a_question_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import symcnn.render.resources as resources

    (tmp_path / "words.toml").write_text('[questions]\nparams = "Parameters"\n')
    monkeypatch.setattr(resources, "template_dirs", lambda extra=None: [tmp_path])
    with pytest.raises(SymcnnError, match=r"no wording for \[questions\] input_elements"):
        words()


def test_every_finding_code_and_verdict_has_wording_and_no_wording_is_orphaned() -> None:
    from symcnn.check.vocabulary import FindingCode, Verdict

    table = words()
    assert set(FindingCode) == set(table["diagnoses"])
    assert set(Verdict) <= set(table["verdicts"]) and set(Verdict) <= set(table["verdict_meanings"])


def test_a_finding_without_wording_cannot_be_made() -> None:
    from symcnn.check.verdicts import Finding

    with pytest.raises(ValueError):
        Finding("no_such_mistake")  # type: ignore[arg-type]
