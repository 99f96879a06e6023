"""The shared development question sets, scored as the acceptance checks score them."""

import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCORER = SHARED / "tools" / "score-questions"


@pytest.mark.parametrize("cases", ["dev-questions.yaml", "dev-questions-newmap.yaml"])
def test_question_set_passes_fully_through_ask_jsonl(cases):
    if not (SHARED / cases).exists() or not SCORER.exists():
        pytest.skip(f"../shared/{cases} is not beside the project")
    thidua = Path(sys.executable).with_name("thidua")
    result = subprocess.run(
        [sys.executable, str(SCORER), "--cmd", f"{thidua} ask --jsonl",
         "--cases", str(SHARED / cases), "-v", "--min", "1.0"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "wrong answers: 0" in result.stdout
