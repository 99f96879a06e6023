"""The README documents every command a user can type, and the menus offer every command."""

import asyncio
from pathlib import Path

import pytest
from fake_bot_api import TOKEN
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.cli import build_parser
from bot.settings import Settings
from handlers.services import services_of
from handlers.texts import ALL_COMMANDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
CHANGELOG = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def handled_commands(knowledge_base, tmp_path_factory):
    """The commands the bot's Application answers."""
    settings = Settings(telegram_bot_token=TOKEN, data_dir=tmp_path_factory.mktemp("state"))
    application = build_application(settings, knowledge_base)
    asyncio.run(services_of(application).store.close())
    return {command for handlers in application.handlers.values() for handler in handlers
            if isinstance(handler, CommandHandler) for command in handler.commands}


def test_readme_starts_with_the_run_and_test_commands():
    head = "\n".join(README.splitlines()[:6])
    assert "make run" in head and "make test" in head


def test_readme_lists_every_cli_command():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"thidua {name}" in README, name


def test_readme_and_changelog_list_every_bot_command(handled_commands):
    for command in handled_commands:
        assert f"/{command}" in README, command
        assert f"/{command}" in CHANGELOG, command


def test_every_handled_command_is_described_for_the_menus(handled_commands):
    assert handled_commands == {command.command for command in ALL_COMMANDS}
