"""The console chat: examples and suggestions picked by number, line editing and history."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from bot.console import chat
from handlers.texts import CONSOLE_EXAMPLES

THIDUA = str(Path(sys.executable).with_name("thidua"))


def run_chat(knowledge_base, lines):
    said = []
    chat(knowledge_base, lines, said.append)
    return "\n".join(said)


def test_greeting_offers_three_numbered_examples_and_a_number_asks_one(knowledge_base):
    text = run_chat(knowledge_base, ["1", "thoát"])
    assert len(CONSOLE_EXAMPLES) == 3
    for n, example in enumerate(CONSOLE_EXAMPLES, 1):
        assert f"  {n}. {example}" in text
    assert f"→ {CONSOLE_EXAMPLES[0]}" in text
    assert "4.670,8 tỷ đồng" in text


def test_a_number_picks_from_the_last_suggestions_shown(knowledge_base):
    text = run_chat(knowledge_base, ["Hoàng Mai", "2", "thoát"])
    suggestions = text.split("Gợi ý (gõ số để chọn):\n", 1)[1].splitlines()
    second = suggestions[1].split(". ", 1)[1]
    assert f"→ {second}" in text
    assert text.count("Nguồn:") >= 1


def test_a_number_beyond_the_list_is_an_ordinary_question(knowledge_base):
    text = run_chat(knowledge_base, ["2022", "thoát"])
    assert "→" not in text


def read_until(fd, output, marker, timeout=15.0):
    """Read the terminal until ``marker`` has appeared and a fresh prompt waits after it."""
    end = time.monotonic() + timeout

    def done():
        text = output[0].decode(errors="replace")
        return marker in text and text.rstrip(" ").endswith(">")

    while not done():
        assert time.monotonic() < end, output[0].decode(errors="replace")
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            output[0] += os.read(fd, 65536)


def test_terminal_has_line_editing_and_history_across_sessions(tmp_path):
    def session(keys, marker_after_each):
        main, child = pty.openpty()
        process = subprocess.Popen([THIDUA, "chat"], stdin=child, stdout=child, stderr=child,
                                   env={**os.environ, "HOME": str(tmp_path)}, close_fds=True)
        os.close(child)
        output = [b""]
        try:
            read_until(main, output, "> ")
            for key, marker in zip(keys, marker_after_each, strict=True):
                os.write(main, key)
                read_until(main, output, marker)
            os.write(main, b"\x04")  # Ctrl-D
            process.wait(10)
        finally:
            process.kill()
            os.close(main)
        return output[0].decode(errors="replace")

    first = session([b"hbt thu ns 202\x1b[D\x1b[C0\r"], ["12.817"])  # arrows move the cursor
    assert "^[[" not in first
    second = session([b"\x1b[A\r"], ["12.817"])  # ↑ brings back last session's question
    assert "^[[" not in second
    assert (tmp_path / ".thidua_history").read_text(encoding="utf-8").strip().endswith(
        "hbt thu ns 2020")
