"""`thidua kb ingest --jsonl` for machines, and `thidua kb add`: a reviewed draft joins the base."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_cli import HOLDER, state_env
from test_ingest_documents import HAC_THANH

from knowledge import load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.ingest import DraftRejected, draft_yaml, ingest, plan_addition

THIDUA = str(Path(sys.executable).with_name("thidua"))
ROOT = Path(__file__).resolve().parents[1]
HEADER_KEYS = ["unit", "province", "date", "source"]
CANDIDATE_KEYS = ["value", "of", "unit", "percent", "percent_of", "bound", "estimate", "also",
                  "year", "kind", "metric", "new_metric", "sentence"]


def run(*args, tmp_path):
    return subprocess.run([THIDUA, *map(str, args)], capture_output=True, text=True, timeout=120,
                          env=state_env(tmp_path), cwd=tmp_path)


@pytest.fixture
def data(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


@pytest.fixture
def draft(tmp_path):
    """The draft of the Hạc Thành report, as `thidua kb ingest -o` writes it."""
    report = tmp_path / "hac-thanh.txt"
    report.write_text(HAC_THANH, encoding="utf-8")
    path = tmp_path / "hac-thanh.yaml"
    result = run("kb", "ingest", report, "-o", path, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "thidua kb add" in result.stdout
    return path


def fingerprint(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_jsonl_prints_the_header_then_one_object_per_candidate(tmp_path):
    report = tmp_path / "hac-thanh.txt"
    report.write_text(HAC_THANH, encoding="utf-8")
    result = run("kb", "ingest", report, "--jsonl", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *candidates = [json.loads(line) for line in result.stdout.splitlines()]
    assert list(header) == HEADER_KEYS
    assert (header["unit"], header["province"], header["date"]) == (
        "Phường Hạc Thành", "Thanh Hóa", "2025-12-18")
    assert header["source"]["id"] == "hac-thanh-2025"
    assert all(list(c) == CANDIDATE_KEYS for c in candidates)
    revenue = next(c for c in candidates if c["value"] == "52,4")
    assert (revenue["unit"], revenue["percent"], revenue["percent_of"], revenue["metric"],
            revenue["new_metric"], revenue["kind"], revenue["year"]) == (
        "tỷ đồng", "118,2", "dự toán", "thu_ngan_sach", None, "result", 2025)
    insured = next(c for c in candidates if c["percent"] == "94,6")
    assert insured["metric"] is None and insured["new_metric"] == "tỷ lệ hộ dùng nước sạch"
    target = next(c for c in candidates if c["value"] == "60")
    assert (target["kind"], target["year"]) == ("target", 2026)
    praise = next(c for c in candidates if c["value"] == "Mười hai")
    assert (praise["kind"], praise["unit"], praise["metric"]) == (
        "award", "tập thể", "bang_khen_thanh_pho")
    assert "Non-JSON" not in result.stderr and "\\u" not in result.stdout


def test_an_unedited_draft_is_added_with_its_new_metrics_and_source(data, draft, tmp_path):
    result = run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Added facts/hac-thanh-2025.yaml" in result.stdout
    assert "Phường Hạc Thành (Thanh Hóa)" in result.stdout
    assert "No bot is running" in result.stdout
    kb = load_knowledge_base(data)
    facts = [f for f in kb.facts if f.source.id == "hac-thanh-2025"]
    assert len(facts) == len(yaml.safe_load(draft.read_text(encoding="utf-8"))["facts"])
    assert {f.place.name for f in facts} == {"Phường Hạc Thành"}
    assert kb.sources["hac-thanh-2025"].date.isoformat() == "2025-12-18"
    new = {f.metric for f in facts} - set(load_knowledge_base().metrics)
    assert new and all(kb.metrics[m].label for m in new)
    praise = next(f for f in facts if f.kind == "award")
    assert (praise.value, praise.unit) == ("12", "tập thể")  # written in words, stored in digits


def test_no_sentence_of_the_report_reaches_the_knowledge_base(data, draft, tmp_path):
    sentences = [line.strip()[2:] for line in draft.read_text(encoding="utf-8").splitlines()
                 if line.startswith("  # ") and len(line) > 60]
    assert sentences
    assert run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path).returncode == 0
    written = "".join(p.read_text(encoding="utf-8") for p in data.rglob("*.yaml"))
    assert not [s for s in sentences if s in written]


def test_a_reviewed_draft_keeps_only_the_new_metrics_its_facts_use(data, draft, tmp_path):
    doc = draft.read_text(encoding="utf-8")
    new = yaml.safe_load(doc)["new_metrics"]
    unused = next(iter(new))
    doc = doc.replace(f"    metric: {unused}\n", "    metric: giai_quyet_viec_lam\n")
    draft.write_text(doc, encoding="utf-8")
    result = run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"not added, no fact uses them: {unused}" in result.stdout
    assert unused not in load_knowledge_base(data).metrics


@pytest.mark.parametrize(("edit", "problem"), [
    (("    kind: result\n", "    kind: resultat\n"), ":{line}: hac-thanh-2025-"),
    (("    kind: result\n", "    kind: result\n    colour: red\n"), "unknown field 'colour'"),
    (("    metric: thu_ngan_sach\n", "    metric: thu_ngan_sach_nam\n"), "unknown metric"),
    (("    year: 2025\n", "    year: 20255\n"), "year must be a whole year"),
    (('unit: "Phường Hạc Thành"', 'unit: "Phường Không Có"'), "unknown unit"),
    (("  title: ", "  titel: "), "unknown field 'titel' in new_source"),
    (("    topic: ", "    topik: "), "unknown field 'topik'"),
    (("facts:\n", "facts:\n  - [not, a, fact]\n"), "an entry of 'facts' should be a mapping"),
    (("facts:\n", "facts: [\n"), "not valid YAML"),
])
def test_a_bad_draft_is_refused_with_file_and_line_and_changes_nothing(data, draft, tmp_path,
                                                                        edit, problem):
    text = draft.read_text(encoding="utf-8")
    assert edit[0] in text
    text = text.replace(edit[0], edit[1], 1)
    draft.write_text(text, encoding="utf-8")
    entry = text.rfind("\n  - id:", 0, text.index(edit[1]))  # facts are named by their entry
    line = text[:entry].count("\n") + 2
    before = fingerprint(data)
    result = run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path)
    assert result.returncode == 1
    assert f"{draft}:" in result.stderr and problem.format(line=line) in result.stderr, \
        result.stderr
    assert "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    assert fingerprint(data) == before


def test_a_report_is_added_once(data, draft, tmp_path):
    assert run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path).returncode == 0
    before = fingerprint(data)
    again = run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path)
    assert again.returncode == 1
    assert "facts/hac-thanh-2025.yaml already exists" in again.stderr
    assert "already exists in sources.yaml" in again.stderr
    assert fingerprint(data) == before


def test_a_draft_of_a_unit_with_namesakes_names_its_province_before_it_is_added(kb_seed):
    text = "Chiều 20/12, HĐND phường Tân Hòa họp. Năm 2025 phường thu ngân sách 10 tỷ đồng."
    draft = ingest(text, kb_seed)
    assert draft.unit is None and {p.province for p in draft.unit_options} == {
        "Tỉnh Phú Thọ", "Thành phố Hồ Chí Minh"}
    doc = draft_yaml(draft)
    assert "province: null" in doc and "Phú Thọ" in doc
    with pytest.raises(DraftRejected, match="unknown unit 'Phường Tân Hòa'"):
        plan_addition(doc, "draft.yaml", kb_seed, "", "")
    fixed = doc.replace("province: null", 'province: "Phú Thọ"')
    addition = plan_addition(fixed, "draft.yaml", kb_seed, "[]\n", "{}\n")
    assert addition.place.province == "Tỉnh Phú Thọ"
    assert addition.source.id.startswith("tan-hoa-2025")  # "-2" when one is already there
    assert set(addition.files) == {addition.facts_file, "sources.yaml"}


def test_kb_add_tells_the_running_bot_to_reload(data, draft, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "state")],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path)
        assert result.returncode == 0, result.stderr
        assert f"Asked the bot (PID {holder.pid})" in result.stdout
        holder.wait(timeout=10)
        assert (tmp_path / "state" / "reloaded").read_text() == "yes"
    finally:
        holder.kill()


@pytest.fixture(scope="module")
def kb_seed():
    return load_knowledge_base()


def test_a_wards_report_added_answers_questions_about_that_ward(data, draft, tmp_path):
    assert run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path).returncode == 0
    ask = run("--data-dir", data, "ask", "--json", "phường Hạc Thành thu ngân sách 2025",
              tmp_path=tmp_path)
    reply = json.loads(ask.stdout)
    assert reply["status"] == "answered"
    assert [(f["value"], f["unit"], f["source"]["date"]) for f in reply["facts"]] == [
        (52.4, "tỷ đồng", "2025-12-18")]
    assert "52,4" in reply["text"]
    former = run("--data-dir", data, "ask", "--json", "thành phố Thanh Hóa thu ngân sách 2025",
                 tmp_path=tmp_path)
    assert "52,4" not in json.loads(former.stdout)["text"]


def test_metrics_added_from_one_report_stay_provisional_and_are_proposed_as_new(data, draft,
                                                                                  tmp_path):
    result = run("kb", "add", draft, "--data-dir", data, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    kb = load_knowledge_base(data)
    new = set(kb.metrics) - set(load_knowledge_base().metrics)
    assert new and all(kb.metrics[m].provisional for m in new)
    again = ingest(HAC_THANH, kb)
    reused = [c for c in again.candidates if c.new_metric and c.new_metric.id in new]
    assert reused and all(c.metric is None for c in reused)
