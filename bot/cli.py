"""The ``thidua`` command: ask, chat, run the bot, the knowledge base, reminders, benchmark."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bot.library import load_cached, settle
from bot.settings import Settings, SettingsError, load_settings
from knowledge import (
    Context,
    KnowledgeBase,
    KnowledgeBaseError,
    answer,
    render_text,
    respond,
)
from knowledge.base import check_knowledge_base
from knowledge.records import answer_record


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _load(data_dir: Path | None) -> KnowledgeBase:
    """The knowledge base, through the compiled cache in the state directory when it is set."""
    try:
        cache_dir = load_settings().kb_cache_dir
    except SettingsError:  # reported where settings matter; answering needs none
        cache_dir = None
    try:
        kb = load_cached(data_dir, cache_dir)
    except KnowledgeBaseError as exc:
        raise SystemExit(f"Error: the knowledge base cannot be loaded:\n{exc}") from exc
    settle()
    return kb


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question (text or --json), or one per stdin line (--jsonl)."""
    kb = _load(args.data_dir)
    if args.jsonl:
        conversations: dict[tuple[str, str], Context] = {}
        # Bytes, decoded line by line: an invalid byte spoils only its own line.
        for raw in sys.stdin.buffer:
            question, who = _jsonl_question(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
            if who is None:
                _print_json(answer_record(answer(question, kb)))
                continue
            reply = respond(question, kb, conversations.get(who))
            conversations[who] = reply.context
            _print_json(answer_record(reply.answer))
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


def _jsonl_question(line: str) -> tuple[str, tuple[str, str] | None]:
    """A plain question, or ``{"chat", "user", "q"}``: a question of that conversation."""
    if line.lstrip().startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            return line, None
        if isinstance(data, dict) and "q" in data and "chat" in data:
            return str(data["q"]), (str(data["chat"]), str(data.get("user", "")))
    return line, None


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat with the engine in the terminal."""
    from bot.console import chat, console_lines

    chat(_load(args.data_dir), console_lines(), print)
    return 0


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise SystemExit(f"Error: {exc}") from exc


def cmd_run(args: argparse.Namespace) -> int:
    """Start the Telegram bot, or the console chat when no token is configured."""
    from bot.signals import ReloadSignal

    reload_signal = ReloadSignal()
    reload_signal.install()  # before anything else: SIGHUP must never kill a starting bot
    settings = _settings()
    kb = _load(args.data_dir)
    if not settings.telegram_bot_token:
        from bot.console import chat, console_lines
        from handlers.texts import NO_TOKEN_CONSOLE

        print(NO_TOKEN_CONSOLE, flush=True)
        chat(kb, console_lines(), print)
        return 0
    from bot.app import run_telegram

    try:
        run_telegram(settings, kb, args.data_dir, reload_signal)
    except SettingsError as exc:
        raise SystemExit(f"Error: {exc}") from None
    return 0


def cmd_kb_reload(args: argparse.Namespace) -> int:
    """Check the data files, then ask the bot running on DATA_DIR to reload them (SIGHUP)."""
    if cmd_kb_validate(args):
        print("Not reloaded: a running bot keeps the knowledge base it has.")
        return 1
    _signal_reload(args.data_dir)
    return 0


def _signal_reload(data_dir: Path | None = None) -> None:
    from bot.curation import ask_bot_to_reload
    from bot.storage import DataDirLocked

    settings = _settings()
    if settings.database_url:
        _publish(settings.database_url, data_dir)
        return
    state = settings.data_dir
    try:
        pid = ask_bot_to_reload(state)
    except DataDirLocked as exc:
        raise SystemExit(f"Error: {exc}") from exc
    if pid is None:
        print(f"No bot is running on {state}: it loads the knowledge base when it starts.")
        return
    print(f"Asked the bot (PID {pid}) on {state} to reload. It checks the files again, logs what "
          "changed and tells the chats concerned (as /capnhat does).")


def _publish(url: str, data_dir: Path | None) -> None:
    """Several instances: publish the data files; every instance loads them, one announces."""
    import socket

    from bot.kbversions import publish
    from bot.library import read_data_files

    async def run() -> Any:
        store = PostgresStore(url, register=False)
        await store.connect()
        try:
            return await publish(store, read_data_files(data_dir),
                                 f"thidua kb reload on {socket.gethostname()}", announced=False)
        finally:
            await store.close()

    from bot.pgstore import PostgresStore
    from bot.storage import StoreUnavailable

    try:
        published = asyncio.run(run())
    except StoreUnavailable as exc:
        raise SystemExit(f"Error: {exc}") from exc
    print(f"Published the knowledge base as version {published.digest[:12]}: every running "
          "instance loads it now, and one announces new figures to the groups registered for "
          "their units.")


def cmd_kb_unanswered(args: argparse.Namespace) -> int:
    """List the questions the bot could not answer, most frequent first (read-only)."""
    from bot.unanswered import most_frequent

    settings = _settings()
    entries = asyncio.run(_read(settings, lambda store: store.unanswered()))
    where = "the database" if settings.database_url else settings.data_dir
    print(f"{len(entries)} logged question(s) in {where}.")
    for group in most_frequent(entries, args.limit):
        kinds = ", ".join(f"{kind} {count}" for kind, count in group.kinds.items())
        print(f"{group.count:5d}  {group.last_at:%Y-%m-%d %H:%M}  {kinds:<30}  {group.example}")
    return 0


def cmd_kb_validate(args: argparse.Namespace) -> int:
    """Check every data file; print each problem with file and line; non-zero on errors.

    Warnings are printed too; ``--fail-on-warnings`` makes them fail the check as well.
    """
    kb, problems = check_knowledge_base(args.data_dir)
    for problem in problems:
        print(problem)
    warnings = sum(problem.warning for problem in problems)
    if kb is None:
        print(f"{len(problems) - warnings} error(s), {warnings} warning(s) found.")
        return 1
    print(f"OK: {len(kb.facts)} facts, {len(kb.metrics)} metrics, {len(kb.sources)} sources, "
          f"{len(kb.places)} units with data, {len(kb.gazetteer.districts)} districts and "
          f"{len(kb.gazetteer.wards)} current wards in the gazetteer"
          + (f"; {warnings} warning(s)." if warnings else "."))
    return 1 if warnings and getattr(args, "fail_on_warnings", False) else 0


def cmd_kb_ingest(args: argparse.Namespace) -> int:
    """Draft candidate facts from a report file: YAML for a curator (or -o), or --jsonl."""
    from knowledge.ingest import (
        DocumentError,
        candidate_record,
        document_text,
        draft_yaml,
        header_record,
        ingest,
        resolve_unit,
    )

    try:
        text = document_text(args.report.read_bytes(), args.report.name)
    except OSError as exc:
        raise SystemExit(f"Error: cannot read the report {args.report}: {exc.strerror}") from exc
    except DocumentError as exc:
        raise SystemExit(f"Error: {exc}") from exc
    try:
        date = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        raise SystemExit(f"Error: --date {args.date!r} is not an ISO date like 2023-03-25"
                         ) from exc
    kb = _load(args.data_dir)
    try:
        unit = resolve_unit(args.unit, kb.gazetteer) if args.unit else None
    except ValueError as exc:
        raise SystemExit(f"Error: --unit: {exc}") from exc
    draft = ingest(text, kb, unit=unit, date=date, report=args.report.name)
    if args.jsonl:
        _print_json(header_record(draft))
        for candidate in draft.candidates:
            _print_json(candidate_record(candidate))
        return 0
    text = draft_yaml(draft, frozenset(kb.by_id))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    from bot.journal import write_atomically

    try:
        write_atomically(args.output, text)
    except OSError as exc:
        raise SystemExit(f"Error: cannot write {args.output}: {exc.strerror}") from exc
    new = len(draft.new_metrics)
    print(f"Wrote {args.output}: {len(draft.candidates)} candidate facts ({new} new metric(s) "
          f"to review); unit {draft.unit_name or '(not found)'}, date "
          f"{draft.date.isoformat() if draft.date else '(not found)'}. "
          f"Review it, then: thidua kb add {args.output}")
    return 0


def cmd_kb_add(args: argparse.Namespace) -> int:
    """Add a reviewed draft to the knowledge base, then ask a running bot to reload."""
    from bot.curation import add_draft
    from knowledge.ingest import DraftRejected

    try:
        text = args.draft.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemExit(f"Error: cannot read the draft {args.draft}: {exc}") from exc
    try:
        addition = add_draft(text, str(args.draft), args.data_dir)
    except DraftRejected as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(f"Error: {args.draft} not added ({len(exc.problems)} problem(s)); "
                         "nothing was changed.") from exc
    except KnowledgeBaseError as exc:
        raise SystemExit("Error: the knowledge base has problems; fix them first "
                         f"(thidua kb validate):\n{exc}") from exc
    place = addition.place
    print(f"Added {addition.facts_file}: {addition.facts} facts of {place.name} "
          f"({place.province_short}), source {addition.source.id}"
          + (f"; new metrics: {', '.join(addition.new_metrics)}" if addition.new_metrics else "")
          + (f"; not added, no fact uses them: {', '.join(addition.unused_metrics)}"
             if addition.unused_metrics else "") + ".")
    _signal_reload(args.data_dir)
    return 0


def _default_seeds_dir() -> Path:
    project = Path(__file__).resolve().parents[1]
    tried = [Path.cwd() / ".." / "shared" / "seeds", project / ".." / "shared" / "seeds"]
    found = next((p for p in tried if p.is_dir()), None)
    if found is None:
        raise SystemExit("Error: no seed reports at " + " or ".join(str(p) for p in tried)
                         + "; give the directory: thidua kb ingest-eval SEEDS_DIR")
    return found


def cmd_kb_ingest_eval(args: argparse.Namespace) -> int:
    """Ingest every seed report and print recall and precision against the curated facts."""
    from knowledge.ingest import evaluate, evaluation_text

    seeds = args.seeds_dir if args.seeds_dir is not None else _default_seeds_dir()
    if not seeds.is_dir():
        raise SystemExit(f"Error: {seeds} is not a directory of reports")
    files = sorted(seeds.glob("*.txt"))
    if not files:
        raise SystemExit(f"Error: no .txt reports in {seeds}")
    try:
        reports = [(f.name, f.read_text(encoding="utf-8")) for f in files]
    except (OSError, UnicodeDecodeError) as exc:
        raise SystemExit(f"Error: cannot read a report in {seeds}: {exc}") from exc
    print(evaluation_text(evaluate(reports, _load(args.data_dir))))
    return 0


async def _read(settings: Settings, read: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``read(store)`` on the committed state: DATABASE_URL's, else DATA_DIR's."""
    from bot.storage import StoreUnavailable, read_store

    if settings.database_url:
        from bot.pgstore import PostgresStore

        store: Any = PostgresStore(settings.database_url, register=False)
        try:
            await store.connect()
        except StoreUnavailable as exc:
            raise SystemExit(f"Error: {exc}") from exc
    else:
        store = read_store(settings.data_dir)
    try:
        return await read(store)
    finally:
        await store.close()


def cmd_status(args: argparse.Namespace) -> int:
    """Print the outbox, uncertain and given-up sends, and the last commit error (DATA_DIR)."""
    from bot.health import health
    from bot.storage import DataDirLocked, last_error, lock_holder

    settings = _settings()
    if settings.database_url:
        return _cluster_status(settings)
    state = settings.data_dir
    try:
        pid = lock_holder(state)
    except DataDirLocked:
        pid = None
    figures = asyncio.run(_read(settings, lambda store: health(store, dt.datetime.now(dt.UTC))))
    print(f"Bot on {state.resolve()}: " + (f"running (PID {pid})" if pid else "not running"))
    print(f"outbox: {figures.pending} pending, {figures.waiting} held back"
          + (f", oldest queued {figures.oldest_pending:%Y-%m-%d %H:%M %Z}"
             if figures.oldest_pending else ""))
    print(f"possibly sent twice: {figures.uncertain}; given up: {figures.given_up}; "
          f"updates recorded but not yet handled: {figures.unhandled_updates}")
    error = last_error(state)
    print(f"last commit error: {error}" if error else "last commit error: none recorded")
    return 0


def _cluster_status(settings: Settings) -> int:
    """``thidua status`` with DATABASE_URL: every instance, then the shared outbox."""
    from bot.health import health

    async def read(store: Any) -> Any:
        return await store.instances(), await health(store, dt.datetime.now(dt.UTC))

    instances, figures = asyncio.run(_read(settings, read))
    alive = [row for row in instances if row[3]]
    print(f"Instances on the database: {len(alive)} running, {len(instances) - len(alive)} "
          "stopped or dead (seen in the last day)")
    for name, started, seen, running, info in instances:
        error = f"; last error: {info['last_error']}" if info.get("last_error") else ""
        print(f"  {name}: {'running' if running else 'not seen'} since {seen:%Y-%m-%d %H:%M:%S %Z}"
              f" (started {started:%Y-%m-%d %H:%M}), knowledge base "
              f"{str(info.get('kb') or '?')[:12]}{error}")
    versions = {str(info.get("kb")) for *_, running, info in instances if running}
    if len(versions) > 1:
        print("  WARNING: running instances answer from different knowledge-base versions")
    print(f"outbox: {figures.pending} pending, {figures.waiting} held back"
          + (f", oldest queued {figures.oldest_pending:%Y-%m-%d %H:%M %Z}"
             if figures.oldest_pending else ""))
    print(f"possibly sent twice: {figures.uncertain}; given up: {figures.given_up}; "
          f"updates recorded but not yet handled: {figures.unhandled_updates}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log (DATA_DIR), oldest first."""
    from zoneinfo import ZoneInfo

    from handlers.texts import audit_line

    settings = _settings()
    entries = asyncio.run(_read(settings, lambda store: store.audit(args.limit)))
    zone = settings.timezone or ZoneInfo("Asia/Ho_Chi_Minh")
    where = "the database" if settings.database_url else settings.data_dir
    print(f"{len(entries)} audit entr{'y' if len(entries) == 1 else 'ies'} in {where}.")
    for entry in entries:
        print(audit_line(entry, zone))
    return 0


def cmd_state_check(args: argparse.Namespace) -> int:
    """Read the state as the bot would; report each problem; non-zero on problems."""
    from bot.backups import check_state

    report = check_state(_settings().data_dir)
    for line in report.lines:
        print(line)
    return 1 if report.problems else 0


def cmd_state_backup(args: argparse.Namespace) -> int:
    """Write the committed state as one snapshot file (default: a new generation in backups/)."""
    from bot.backups import backup_state

    path = backup_state(_settings().data_dir, args.output)
    print(f"Backed up the state to {path}.")
    return 0


def cmd_state_restore(args: argparse.Namespace) -> int:
    """Replace the state by a backup (the bot must be stopped); the current state is kept too."""
    from bot.backups import restore_state
    from bot.storage import DataDirLocked

    try:
        kept = restore_state(_settings().data_dir, args.backup)
    except DataDirLocked as exc:
        raise SystemExit(f"Error: {exc} Stop the bot first.") from exc
    except (OSError, ValueError) as exc:
        raise SystemExit(f"Error: {exc}") from exc
    print(f"Restored the state from {args.backup}; the state before is kept as {kept}.")
    return 0


def cmd_reminders_preview(args: argparse.Namespace) -> int:
    """Print what a subscriber of the unit gets now: the message on stdout, its buttons on stderr.

    For a unit without targets of this year or later, nothing is sent on schedule: it prints the
    offer ``/theodoi`` makes instead.
    """
    from handlers.render import plain_text, render_reminder_html
    from handlers.texts import ACK_BUTTON, DIGEST_BUTTON, NO_THANKS_BUTTON, no_targets_offer
    from knowledge import lookup_place
    from knowledge.reminders import target_reminder

    kb = _load(args.data_dir)
    lookup = lookup_place(args.unit, kb)
    place = lookup.place
    if place is None or lookup.rest:
        options = ", ".join(f"{p.name} ({p.province})" for p in lookup.options)
        raise SystemExit(f"Error: {args.unit!r} names no single unit"
                         + (f"; it may be: {options}" if options else "") + ".")
    if place.key not in kb.by_place:
        raise SystemExit(f"Error: the knowledge base has no facts of {place.name} "
                         f"({place.province}): /theodoi refuses it.")
    today = dt.datetime.now(_settings().timezone).date()
    reminder = target_reminder(kb, place, today)
    if not reminder.says_something:
        print(f"No scheduled reminder: {place.name} has no targets of {today.year} or later; "
              "/theodoi answers with this offer.", file=sys.stderr)
        print(no_targets_offer(place))
        print(f"[{DIGEST_BUTTON}] [{NO_THANKS_BUTTON}]", file=sys.stderr)
        return 0
    print(plain_text(render_reminder_html(kb, reminder, place)))
    print(f"[{ACK_BUTTON}]", file=sys.stderr)
    return 0


def cmd_reminders_acks(args: argparse.Namespace) -> int:
    """Print who acknowledged the reminders of the last 30 days, across chats (read-only)."""
    from handlers.acknowledgements import acks_report

    settings = _settings()
    kb = _load(args.data_dir)
    now = dt.datetime.now(settings.timezone)
    print(asyncio.run(_read(settings, lambda store: acks_report(
        store, kb, now, settings.timezone))))
    return 0


def cmd_state_migrate(args: argparse.Namespace) -> int:
    """Copy the state from DATA_DIR into DATABASE_URL (--to postgres), or back (--to tinydb)."""
    from bot.storage import DataDirLocked, StoreUnavailable
    from bot.transfer import counts_text, to_postgres, to_tinydb

    settings = _settings()
    if not settings.database_url:
        raise SystemExit("Error: set DATABASE_URL to the PostgreSQL database to copy to or from")
    try:
        if args.to == "postgres":
            read, written = asyncio.run(to_postgres(settings.data_dir, settings.database_url))
            print(f"Copied the state of {settings.data_dir} into the database:")
        else:
            read, written = asyncio.run(to_tinydb(settings.database_url, settings.data_dir))
            print(f"Copied the state of the database into {settings.data_dir}:")
    except DataDirLocked as exc:
        raise SystemExit(f"Error: {exc} Stop the bot first.") from exc
    except (StoreUnavailable, ValueError, OSError) as exc:
        raise SystemExit(f"Error: {exc}") from exc
    for line in counts_text(read, written):
        print(f"  {line}")
    if read != written:
        print("Counts differ: check the lines marked MISMATCH.")
        return 1
    target = "DATABASE_URL" if args.to == "postgres" else "DATA_DIR without DATABASE_URL"
    print(f"All counts match. Start the bot with {target} to use the copy.")
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
    validate = kb_sub.add_parser("validate", help="check the data files")
    validate.add_argument("--fail-on-warnings", action="store_true",
                          help="exit 1 on warnings too (unused metrics, odd aliases …)")
    validate.set_defaults(func=cmd_kb_validate)
    ingest = kb_sub.add_parser("ingest", help="draft candidate facts from a report (YAML)")
    ingest.add_argument("report", type=Path, help="the report: .txt, .docx, .pdf or .html")
    ingest.add_argument("--unit", help="the unit (district, ward, commune or province), when "
                                       "the text does not show it, e.g. 'Tân Hòa, Phú Thọ'")
    ingest.add_argument("--date", help="the report's date (YYYY-MM-DD), when the text does not")
    ingest_out = ingest.add_mutually_exclusive_group()
    ingest_out.add_argument("-o", "--output", type=Path,
                            help="write the draft here (default: stdout)")
    ingest_out.add_argument("--jsonl", action="store_true",
                            help="print a header line, then one JSON object per candidate")
    ingest.set_defaults(func=cmd_kb_ingest)
    add = kb_sub.add_parser("add", help="add a reviewed draft to the knowledge base")
    add.add_argument("draft", type=Path, help="the draft written by thidua kb ingest -o")
    add.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                     help="knowledge base directory (default: the packaged data)")
    add.set_defaults(func=cmd_kb_add)
    ingest_eval = kb_sub.add_parser(
        "ingest-eval", help="measure ingest on the seed reports against the curated facts")
    ingest_eval.add_argument("seeds_dir", nargs="?", type=Path, default=None,
                             help="directory of .txt reports (default: ../shared/seeds)")
    ingest_eval.set_defaults(func=cmd_kb_ingest_eval)
    kb_sub.add_parser(
        "reload", help="validate, then make the running bot (DATA_DIR) reload the data files",
    ).set_defaults(func=cmd_kb_reload)
    unanswered = kb_sub.add_parser(
        "unanswered", help="the most frequent questions the bot could not answer (DATA_DIR)")
    unanswered.add_argument("--limit", type=int, default=20, help="how many to list")
    unanswered.set_defaults(func=cmd_kb_unanswered)

    sub.add_parser("status", help="outbox, uncertain and given-up sends, last commit error "
                   "(DATA_DIR)").set_defaults(func=cmd_status)
    audit = sub.add_parser("audit", help="the audit log (DATA_DIR)")
    audit.add_argument("--limit", type=int, default=None, help="only the last N entries")
    audit.set_defaults(func=cmd_audit)
    state = sub.add_parser("state", help="check, back up or restore the bot's state (DATA_DIR)")
    state_sub = state.add_subparsers(dest="state_command", required=True)
    state_sub.add_parser("check", help="read and check every document; exit 1 on problems"
                         ).set_defaults(func=cmd_state_check)
    backup = state_sub.add_parser("backup", help="write the committed state as one file")
    backup.add_argument("output", nargs="?", type=Path, default=None,
                        help="the file (default: a new generation in DATA_DIR/backups)")
    backup.set_defaults(func=cmd_state_backup)
    restore = state_sub.add_parser("restore", help="replace the state by a backup (bot stopped)")
    restore.add_argument("backup", type=Path, help="a file written by `thidua state backup`")
    restore.set_defaults(func=cmd_state_restore)
    copy = state_sub.add_parser(
        "migrate", help="copy the state from DATA_DIR into DATABASE_URL, or back (bot stopped)")
    copy.add_argument("--to", choices=("postgres", "tinydb"), required=True,
                      help="postgres: DATA_DIR into an empty database; tinydb: the database "
                           "into a DATA_DIR without state")
    copy.set_defaults(func=cmd_state_migrate)

    reminders = sub.add_parser("reminders", help="target reminders: preview, acknowledgements")
    reminders_sub = reminders.add_subparsers(dest="reminders_command", required=True)
    preview = reminders_sub.add_parser("preview", help="what a subscriber of UNIT gets now")
    preview.add_argument("unit", help="the unit, as typed after /theodoi (e.g. \"Bình Thạnh\")")
    preview.set_defaults(func=cmd_reminders_preview)
    reminders_sub.add_parser(
        "acks", help="who pressed \"Đã nhận\" under the reminders, across chats",
    ).set_defaults(func=cmd_reminders_acks)

    bench = sub.add_parser("bench", help="benchmarks")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``thidua`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (``thidua ask … | head -1``): nothing left to say to it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
