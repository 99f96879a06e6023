"""The ``thidua`` command: ask, chat, run the bot, check the knowledge base, benchmark."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from knowledge import KnowledgeBase, KnowledgeBaseError, answer, load_knowledge_base, render_text
from knowledge.records import answer_record


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _load(data_dir: Path | None) -> KnowledgeBase:
    try:
        return load_knowledge_base(data_dir)
    except KnowledgeBaseError as exc:
        raise SystemExit(f"Error: the knowledge base cannot be loaded:\n{exc}") from exc


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question (text or --json), or one per stdin line (--jsonl)."""
    kb = _load(args.data_dir)
    if args.jsonl:
        for line in sys.stdin:
            _print_json(answer_record(answer(line.rstrip("\n"), kb)))
        return 0
    question = " ".join(args.question)
    if not question:
        raise SystemExit("Error: give a question, e.g. thidua ask \"Hoàng Mai thu ngân sách 2022\"")
    reply = answer(question, kb)
    if args.json:
        _print_json(answer_record(reply))
    else:
        print(render_text(reply))
    return 0


def _console_lines() -> Iterator[str]:
    while True:
        try:
            yield input("> ")
        except EOFError:
            return
        except KeyboardInterrupt:
            print()
            return


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with the engine in the terminal."""
    from bot.console import chat

    chat(_load(args.data_dir), _console_lines(), print)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Start the Telegram bot, or the console chat when no token is configured."""
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise SystemExit(f"Error: {exc}") from exc
    kb = _load(args.data_dir)
    if not settings.telegram_bot_token:
        print("Chưa cấu hình TELEGRAM_BOT_TOKEN (trong .env hoặc biến môi trường): "
              "mở trò chuyện trên console.", flush=True)
        from bot.console import chat

        chat(kb, _console_lines(), print)
        return 0
    from bot.app import run_telegram

    run_telegram(settings, kb)
    return 0


def cmd_kb_validate(args: argparse.Namespace) -> int:
    """Check every data file; print each problem with file and line; non-zero on problems."""
    try:
        kb = load_knowledge_base(args.data_dir)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found.")
        return 1
    print(f"OK: {len(kb.facts)} facts, {len(kb.metrics)} metrics, {len(kb.sources)} sources, "
          f"{len(kb.districts)} districts with data, {len(kb.gazetteer.districts)} districts and "
          f"{len(kb.gazetteer.wards)} current wards in the gazetteer.")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Measure latency, throughput, start-up time and memory at seed and national scale."""
    from bot.bench import run_benchmarks

    run_benchmarks(quick=args.quick)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="thidua", description="ThiĐua bot")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="knowledge base directory (default: the packaged data)")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question")
    ask.add_argument("question", nargs="*")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument("--jsonl", action="store_true",
                      help="read one question per stdin line, print one JSON object per line")
    ask.set_defaults(func=cmd_ask)

    sub.add_parser("chat", help="chat in the terminal").set_defaults(func=cmd_chat)
    sub.add_parser("run", help="run the Telegram bot (console chat without a token)"
                   ).set_defaults(func=cmd_run)

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    kb_sub.add_parser("validate", help="check the data files").set_defaults(func=cmd_kb_validate)

    bench = sub.add_parser("bench", help="benchmarks")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``thidua`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
