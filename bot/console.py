"""The console chat: the same engine and replies as Telegram, in a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType

from handlers.texts import (
    CONSOLE_BYE,
    CONSOLE_EXAMPLES,
    CONSOLE_GREETING,
    CONSOLE_PROMPT,
    CONSOLE_QUIT_WORDS,
    console_suggestions,
    knows_of,
)
from knowledge import Context, KnowledgeBase, coverage_text, render_text, respond

HISTORY_FILE = Path.home() / ".thidua_history"
HISTORY_LENGTH = 500


def chat(kb: KnowledgeBase, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """Answer each line, as one conversation, until the input ends or the user says goodbye.

    The greeting's examples and each reply's suggestions are numbered: typing a number asks
    that question of the last numbered list shown.
    """
    write(CONSOLE_GREETING)
    write(knows_of(kb))
    write(console_suggestions(CONSOLE_EXAMPLES, examples=True))
    offered: tuple[str, ...] = CONSOLE_EXAMPLES
    context = Context()  # the console is one conversation
    for line in lines:
        question = line.strip()
        if question.lower() in CONSOLE_QUIT_WORDS:
            break
        if question in ("/start", "/help", "/giupdo"):
            write(coverage_text(kb))
            continue
        if question.isdigit() and 1 <= int(question) <= len(offered):
            question = offered[int(question) - 1]
            write(f"→ {question}")
        turn = respond(question, kb, context)
        context, reply = turn.context, turn.answer
        write(render_text(reply))
        if reply.suggestions:
            offered = reply.suggestions
            write(console_suggestions(offered))
    write(CONSOLE_BYE)


def console_lines(prompt: str = CONSOLE_PROMPT) -> Iterator[str]:
    """Lines typed in the terminal, with line editing and history when it is interactive."""
    interactive = sys.stdin.isatty()
    readline = _readline() if interactive else None
    try:
        while True:
            try:
                yield input(prompt if interactive else "")
            except EOFError:
                return
            except KeyboardInterrupt:
                print()
                return
    finally:
        if readline is not None:
            with contextlib.suppress(OSError):
                readline.write_history_file(HISTORY_FILE)


def _readline() -> ModuleType | None:
    """Load readline (arrow keys, Ctrl-R, history across sessions); None without it."""
    try:
        import readline
    except ImportError:
        return None
    readline.set_history_length(HISTORY_LENGTH)
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    return readline
