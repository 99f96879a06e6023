"""`thidua kb validate`: every wrongly shaped data file is a file:line problem, not a traceback."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.base import check_knowledge_base, load_knowledge_base
from knowledge.snapshot import from_snapshot, to_snapshot

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "data"
THIDUA = str(Path(sys.executable).with_name("thidua"))
HOANG_MAI = "facts/hoang-mai-2022.yaml"


@pytest.fixture
def data(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


def edit(data, name, old, new):
    path = data / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(data):
    kb, problems = check_knowledge_base(data)
    return kb, [p for p in problems if not p.warning], [p for p in problems if p.warning]


# (file, text to replace, replacement, what the problem says)
MALFORMED = [
    (HOANG_MAI, "facts:\n", "facts:\n  - [1, 2]\n", "an entry of 'facts' should be a mapping"),
    (HOANG_MAI, "facts:\n", "facts: {id: x}\nold_facts:\n", "'facts' should be a list"),
    (HOANG_MAI, "    year: 2022\n", '    year: "2022"\n',
     "'year' should be a whole number, not the text '2022'"),
    (HOANG_MAI, 'value: "4.670,8"', "value: [4670]", "'value' should be a figure"),
    (HOANG_MAI, "source: hoang-mai-2022", "source: [hoang-mai-2022]", "'source' should be text"),
    (HOANG_MAI, '      - {value: "74", unit: cá nhân}', '      - "74 cá nhân"',
     "an entry of 'also' should be a mapping"),
    ("facts/binh-thanh-2021.yaml", "estimate: true", 'estimate: "có"',
     "'estimate' should be true or false"),
    ("facts/binh-thanh-2021.yaml", "    date: 2022-03-24", '    date: "hôm qua"',
     "'date' should be an ISO date"),
    (HOANG_MAI, "    kind: result\n", "    kind: result\n    percnet: 5\n",
     "unknown field 'percnet' (did you mean 'percent'?)"),
    ("sources.yaml", "- id: binh-thanh-2021\n", "- binh-thanh-2021\n- id: binh-thanh-2021\n",
     "an entry of the file should be a mapping"),
    ("sources.yaml", "  date: 2022-03-24", "  date: 24/03/2022", "'date' should be an ISO date"),
    ("sources.yaml", "  publisher: ANH HOÀNG\n", "", "missing 'publisher'"),
    ("metrics.yaml", "  topic: Ngân sách\n  synonyms: [thu ngân sách,",
     "  topic: [Ngân sách]\n  synonyms: [thu ngân sách,", "'topic' should be text, not a list"),
    ("metrics.yaml", "thu_ngan_sach:\n  label:", "thu_ngan_sach:\n  - label:",
     "not valid YAML"),
    ("aliases.yaml", "districts:\n", "districts: hbt\nold:\n", "'districts' should be a list"),
    ("aliases.yaml", "{alias: hbt, name: Quận Hai Bà Trưng, province: Thành phố Hà Nội}",
     "{alias: hbt, name: Quận Hai Bà Trưng}", "missing 'province'"),
    ("aliases.yaml", "{alias: hbt, name: Quận Hai Bà Trưng,",
     "{alias: hbt, name: Quận Hai Bà Trung,", "(did you mean 'Quận Hai Bà Trưng'?)"),
    ("vocabulary.yaml", "stopwords: [", "stopwords: {a: 1}\nold_stopwords: [",
     "'stopwords' should be a list"),
    ("vocabulary.yaml", "followup: [", "old_followup: [", "missing 'followup'"),
    ("vocabulary.yaml", "number_words: {một: 1,", "number_words: {một: một,",
     "'một' should be a whole number"),
    ("vocabulary.yaml", "  tt: Thị trấn", "  tt: Thi tran", "(did you mean 'Thị trấn'?)"),
    ("vocabulary.yaml", "abbreviations:\n", "abbreviations:\n  - ns\nold:\n",
     "'abbreviations' should be a mapping"),
]


@pytest.mark.parametrize(("name", "old", "new", "says"), MALFORMED,
                         ids=[f"{m[0]}:{m[3][:30]}" for m in MALFORMED])
def test_wrongly_shaped_file_is_a_file_line_problem_in_both_languages(data, name, old, new,
                                                                         says):
    edit(data, name, old, new)
    kb, errors, _ = problems_of(data)
    assert kb is None
    assert any(says in str(p) for p in errors), [str(p) for p in errors]
    for problem in errors:
        assert problem.file == name
        assert problem.line > 0
        assert problem.vi and problem.vi != problem.message  # Vietnamese for /capnhat


@pytest.mark.parametrize("name", ["sources.yaml", "metrics.yaml", "aliases.yaml",
                                  "vocabulary.yaml", HOANG_MAI])
@pytest.mark.parametrize("content", ["", "- just\n- a list\n", "just text\n", "{unclosed: [\n"])
def test_any_content_of_any_file_is_reported_never_raised(data, name, content):
    (data / name).write_text(content, encoding="utf-8")
    kb, errors, _ = problems_of(data)
    assert kb is None
    assert errors and all(p.file == name for p in errors)


def test_one_syntax_error_is_reported_once_without_cascades(data):
    edit(data, HOANG_MAI, "    year: 2022\n", "    year: [2022\n")
    kb, errors, warnings = problems_of(data)
    assert kb is None
    assert [p.file for p in errors] == [HOANG_MAI]
    assert "not valid YAML" in str(errors[0]) and errors[0].line > 0
    assert warnings == []  # none of its metrics is called "unused"


def test_broken_metrics_file_does_not_make_every_metric_unknown(data):
    edit(data, "metrics.yaml", "thu_ngan_sach:\n  label:", "thu_ngan_sach:\n  - label:")
    _, errors, _ = problems_of(data)
    assert [p.file for p in errors] == ["metrics.yaml"]


def test_broken_sources_file_does_not_make_every_source_unknown(data):
    edit(data, "sources.yaml", "- id: binh-thanh-2021\n", "- id: [binh-thanh-2021\n")
    _, errors, _ = problems_of(data)
    assert [p.file for p in errors] == ["sources.yaml"]


@pytest.mark.parametrize(("old", "new", "says"), [
    ("metric: thu_ngan_sach\n", "metric: thu_ngan_sachh\n",
     "unknown metric 'thu_ngan_sachh' (did you mean 'thu_ngan_sach'?)"),
    ("source: hoang-mai-2022", "source: hoang-mai-2O22",
     "unknown source 'hoang-mai-2O22' (did you mean 'hoang-mai-2022'?)"),
    ("unit: Quận Hoàng Mai", "unit: Quận Hoang Mai",
     "unknown unit 'Quận Hoang Mai' in 'Hà Nội' (did you mean 'Quận Hoàng Mai'?)"),
    ("    kind: result\n", "    kind: resutl\n", "(did you mean 'result'?)"),
])
def test_mistyped_ids_and_units_get_a_did_you_mean(data, old, new, says):
    edit(data, HOANG_MAI, old, new)
    _, errors, _ = problems_of(data)
    assert any(says in str(p) for p in errors), [str(p) for p in errors]
    assert any("có phải" in p.vietnamese for p in errors)


def test_unused_metric_is_a_warning_that_fails_only_on_request(data):
    edit(data, "metrics.yaml", "# --- Ngân sách ---\n",
         "# --- Ngân sách ---\nchua_dung:\n  label: chỉ số chưa dùng\n  topic: Ngân sách\n")
    kb, errors, warnings = problems_of(data)
    assert kb is not None and errors == []
    [warning] = warnings
    line = (data / "metrics.yaml").read_text(encoding="utf-8").splitlines().index("chua_dung:")
    assert str(warning).startswith(
        f"metrics.yaml:{line + 1}: warning: metric 'chua_dung' is defined")
    assert warning.vietnamese.startswith(f"metrics.yaml:{line + 1}: cảnh báo:")
    assert kb.warnings == (warning,)
    plain = subprocess.run([THIDUA, "--data-dir", str(data), "kb", "validate"],
                           capture_output=True, text=True)
    strict = subprocess.run([THIDUA, "--data-dir", str(data), "kb", "validate",
                             "--fail-on-warnings"], capture_output=True, text=True)
    assert plain.returncode == 0 and "1 warning(s)" in plain.stdout
    assert strict.returncode == 1


def test_duplicate_and_accented_aliases_are_warnings(data):
    edit(data, "aliases.yaml", "  - {alias: q.hbt,", "  - {alias: hbt, name: Quận Hai Bà Trưng, "
         "province: Thành phố Hà Nội}\n  - {alias: q.hbt,")
    edit(data, "aliases.yaml", "  - {alias: sg,", "  - {alias: Sài Gòn, name: Thành phố Hồ Chí "
         "Minh}\n  - {alias: sg,")
    kb, errors, warnings = problems_of(data)
    assert kb is not None and errors == []
    said = " ".join(str(w) for w in warnings)
    assert "alias 'hbt' of 'Quận Hai Bà Trưng' is listed twice (first on line" in said
    assert "'hm'" not in said  # one alias for two units (Hoàng Mai) is deliberate
    assert "alias 'Sài Gòn' should be written as typed, lower case without accents: 'sai gon'" \
        in said


def test_cli_prints_problems_without_a_traceback(data):
    (data / HOANG_MAI).write_text("facts:\n  - 1\n  - {id: x}\n", encoding="utf-8")
    result = subprocess.run([THIDUA, "--data-dir", str(data), "kb", "validate"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{HOANG_MAI}:1: missing 'source'" in result.stdout
    assert all(line.startswith(HOANG_MAI) for line in result.stdout.splitlines()[:-1])


def test_warnings_and_awarding_bodies_survive_the_compiled_snapshot(data):
    edit(data, "metrics.yaml", "# --- Ngân sách ---\n",
         "# --- Ngân sách ---\nchua_dung:\n  label: chỉ số chưa dùng\n  topic: Ngân sách\n")
    kb = load_knowledge_base(data)
    again = from_snapshot(to_snapshot(kb))
    assert again.warnings == kb.warnings and len(again.warnings) == 1
    assert again.metrics["huan_chuong_lao_dong"].awarded_by == "state"
