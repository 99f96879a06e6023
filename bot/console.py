"""The console chat: the same engine and replies as Telegram, in a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from knowledge import Context, KnowledgeBase, coverage_text, render_text, respond

GREETING = ("ThiĐua bot — hỏi bằng tiếng Việt, có dấu hoặc không dấu. "
            "Gõ «thoát» hoặc Ctrl-D để dừng.")
_QUIT = {"thoát", "thoat", "exit", "quit", "/thoat"}


def chat(kb: KnowledgeBase, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """Answer each line until the input ends or the user says goodbye."""
    write(GREETING)
    write(coverage_text(kb))
    context = Context()  # the console is one conversation
    for line in lines:
        question = line.strip()
        if question.lower() in _QUIT:
            break
        if question in ("/start", "/help", "/giupdo"):
            write(coverage_text(kb))
            continue
        turn = respond(question, kb, context)
        context, reply = turn.context, turn.answer
        write(render_text(reply))
        if reply.suggestions:
            write("Gợi ý: " + " | ".join(reply.suggestions))
    write("Tạm biệt!")
