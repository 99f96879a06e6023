"""The README documents every command a user can type."""

from pathlib import Path

from bot.cli import build_parser
from handlers.texts import ADMIN_COMMANDS, BOT_COMMANDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_run_and_test_commands():
    head = "\n".join(README.splitlines()[:6])
    assert "make run" in head and "make test" in head


def test_readme_lists_every_cli_command():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"thidua {name}" in README, name


def test_readme_lists_every_bot_command():
    for command in (*BOT_COMMANDS, *ADMIN_COMMANDS):
        assert f"/{command.command}" in README, command.command
