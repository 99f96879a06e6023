"""The compiled knowledge-base cache: same answers, rebuilt when a file changes, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import bot.library
from bot.library import Library, load_cached
from knowledge import KnowledgeBase, KnowledgeBaseError, answer, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.snapshot import from_snapshot, to_snapshot

QUESTIONS = ("hm thu ns 22", "Phường Tân Hòa thu ngân sách 2025", "quận nào thu ngân sách cao nhất",
             "Ba Đình có bao nhiêu chỉ tiêu vượt kế hoạch năm 2024", "xin chào")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _no_full_load(data_dir: Path | None = None) -> KnowledgeBase:
    raise AssertionError("the knowledge base was loaded from its files, not from the cache")


def test_a_snapshot_answers_exactly_as_the_files_do(knowledge_base: KnowledgeBase) -> None:
    restored = from_snapshot(to_snapshot(knowledge_base))
    assert restored.facts == knowledge_base.facts
    assert restored.metrics == knowledge_base.metrics
    assert restored.sources == knowledge_base.sources
    assert restored.gazetteer.index == knowledge_base.gazetteer.index
    for question in QUESTIONS:
        assert answer(question, restored) == answer(question, knowledge_base), question


def test_the_second_start_loads_the_cache(data_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "state" / "kb-cache"
    first = load_cached(data_dir, cache)
    assert len(list(cache.glob("kb-*.bin"))) == 1
    monkeypatch.setattr(bot.library, "load_knowledge_base", _no_full_load)
    again = load_cached(data_dir, cache)
    assert answer("hm thu ns 22", again) == answer("hm thu ns 22", first)


def test_an_edited_file_is_loaded_again_and_the_old_snapshot_removed(data_dir: Path,
                                                                      tmp_path: Path) -> None:
    cache = tmp_path / "kb-cache"
    load_cached(data_dir, cache)
    old = set(cache.glob("kb-*.bin"))
    facts = data_dir / "facts" / "hoang-mai-2022.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("4.670,8", "4.671,9"),
                     encoding="utf-8")
    kb = load_cached(data_dir, cache)
    assert "4.671,9" in answer("Hoàng Mai thu ngân sách 2022", kb).body
    assert set(cache.glob("kb-*.bin")).isdisjoint(old) and len(list(cache.glob("*.bin"))) == 1


def test_a_broken_file_is_reported_even_with_a_cache(data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "kb-cache"
    load_cached(data_dir, cache)
    (data_dir / "metrics.yaml").write_text("thu_ngan_sach: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError):
        load_cached(data_dir, cache)


def test_a_damaged_snapshot_costs_only_a_full_load(data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "kb-cache"
    load_cached(data_dir, cache)
    (snapshot,) = cache.glob("kb-*.bin")
    snapshot.write_bytes(snapshot.read_bytes()[:1000])
    kb = load_cached(data_dir, cache)
    assert "4.670,8" in answer("hm thu ns 22", kb).body
    assert from_snapshot(snapshot.read_bytes()).facts == kb.facts  # written again, whole
    snapshot.write_bytes(b"not a snapshot")
    assert "4.670,8" in answer("hm thu ns 22", load_cached(data_dir, cache)).body


def test_a_cache_that_cannot_be_written_does_not_stop_the_bot(data_dir: Path,
                                                               tmp_path: Path) -> None:
    blocked = tmp_path / "kb-cache"
    blocked.write_text("a file where the cache directory should be", encoding="utf-8")
    kb = load_cached(data_dir, blocked)
    assert "4.670,8" in answer("hm thu ns 22", kb).body


def test_a_reload_goes_through_the_cache(data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "kb-cache"
    library = Library(load_knowledge_base(data_dir), data_dir, cache)
    facts = data_dir / "facts" / "hoang-mai-2022.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("4.670,8", "4.671,9"),
                     encoding="utf-8")
    assert library.reload().ok
    assert "4.671,9" in answer("hm thu ns 22", library.kb).body
    assert len(list(cache.glob("kb-*.bin"))) == 1
