"""The bot's settings, read once from the environment and an optional `.env` file."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

T = TypeVar("T")

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
DEFAULT_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class SettingsError(ValueError):
    """A setting has a value the bot cannot use; the message names the variable and the fix."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its environment; secrets stay out of ``repr``."""

    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"
    data_dir: Path = Path("data")
    database_url: str | None = field(default=None, repr=False)
    admin_ids: frozenset[int] = frozenset()
    timezone: ZoneInfo = DEFAULT_TIMEZONE
    log_level: str = "INFO"
    flood_max_messages: int = 20
    flood_window_seconds: float = 60.0
    flood_burst: int = 30
    outgoing_max_per_second: float = 30.0
    outgoing_group_max_per_minute: float = 20.0
    reminder_grace_minutes: int = 360
    countdown_days: tuple[int, ...] = (3, 0)
    telegram_timeout_seconds: float = 10.0
    delivery_retry_hours: float = 24.0
    state_backups: int = 8
    conversation_minutes: int = 30

    @property
    def telegram_file_base_url(self) -> str:
        """Where files are downloaded from: ``…/file/bot`` beside the API's ``…/bot``."""
        base = self.telegram_api_base_url or "https://api.telegram.org/bot"
        head, found, _ = base.rstrip("/").rpartition("/bot")
        return f"{head}/file/bot" if found else f"{base.rstrip('/')}/file/bot"

    @property
    def kb_cache_dir(self) -> Path:
        """Where the compiled knowledge base is kept between starts (see ``load_cached``)."""
        return self.data_dir / "kb-cache"

    @property
    def reminder_grace(self) -> dt.timedelta:
        """How late a reminder missed while the bot was down may still be sent."""
        return dt.timedelta(minutes=self.reminder_grace_minutes)

    @property
    def conversation_idle(self) -> dt.timedelta:
        """How long a quiet conversation keeps its context for follow-up questions."""
        return dt.timedelta(minutes=self.conversation_minutes)

    @property
    def delivery_retry(self) -> dt.timedelta:
        """How long a message is tried again after network errors and 5xx before giving up."""
        return dt.timedelta(hours=self.delivery_retry_hours)

    @property
    def webhook_path(self) -> str:
        """The path part of ``webhook_url`` without its leading slash (PTB's ``url_path``)."""
        return urlparse(self.webhook_url or "").path.lstrip("/")


def load_settings(
    env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the settings from ``environ`` (default: the process environment) over ``env_file``.

    Variables set in the environment win over the file; empty values count as unset (so an
    empty variable in the environment leaves the file's value in place). Raises
    ``SettingsError`` naming the variable when a value is unusable.
    """
    file_values = dotenv_values(env_file) if env_file is not None and env_file.is_file() else {}
    env: dict[str, str] = {}
    for source in (file_values, os.environ if environ is None else environ):
        env.update({k: v.strip() for k, v in source.items() if v and v.strip()})

    def read(name: str, parse: Callable[[str, str], T], default: T) -> T:
        return parse(name, env[name]) if name in env else default

    defaults = Settings()
    settings = Settings(
        telegram_bot_token=read("TELEGRAM_BOT_TOKEN", _token, None),
        telegram_api_base_url=read("TELEGRAM_API_BASE_URL", _http_url, None),
        webhook_url=read("WEBHOOK_URL", _https_url, None),
        webhook_port=read("WEBHOOK_PORT", _port, defaults.webhook_port),
        webhook_secret=read("WEBHOOK_SECRET", _secret, None),
        webhook_listen=read("WEBHOOK_LISTEN", _text, defaults.webhook_listen),
        data_dir=read("DATA_DIR", lambda _, v: Path(v), defaults.data_dir),
        database_url=read("DATABASE_URL", _database_url, None),
        admin_ids=read("ADMIN_IDS", _int_set, defaults.admin_ids),
        timezone=read("TIMEZONE", _zone, defaults.timezone),
        log_level=read("LOG_LEVEL", _log_level, defaults.log_level),
        flood_max_messages=read("FLOOD_MAX_MESSAGES", _count, defaults.flood_max_messages),
        flood_window_seconds=read("FLOOD_WINDOW_SECONDS", _positive, defaults.flood_window_seconds),
        flood_burst=read("FLOOD_BURST", _count, defaults.flood_burst),
        outgoing_max_per_second=read(
            "OUTGOING_MAX_PER_SECOND", _rate, defaults.outgoing_max_per_second
        ),
        outgoing_group_max_per_minute=read(
            "OUTGOING_GROUP_MAX_PER_MINUTE", _rate, defaults.outgoing_group_max_per_minute
        ),
        reminder_grace_minutes=read(
            "REMINDER_GRACE_MINUTES", _count, defaults.reminder_grace_minutes
        ),
        countdown_days=read("COUNTDOWN_DAYS", _day_counts, defaults.countdown_days),
        telegram_timeout_seconds=read("TELEGRAM_TIMEOUT_SECONDS", _positive,
                                      defaults.telegram_timeout_seconds),
        delivery_retry_hours=read("DELIVERY_RETRY_HOURS", _positive,
                                  defaults.delivery_retry_hours),
        state_backups=read("STATE_BACKUPS", _at_least_one, defaults.state_backups),
        conversation_minutes=read("CONVERSATION_MINUTES", _at_least_one,
                                  defaults.conversation_minutes),
    )
    if settings.database_url and settings.webhook_url and not settings.webhook_secret:
        raise SettingsError("WEBHOOK_SECRET must be set with DATABASE_URL and WEBHOOK_URL: "
                            "the instances behind one webhook share one secret")
    return settings


def _text(_name: str, value: str) -> str:
    return value


def _token(name: str, value: str) -> str:
    if not _TOKEN.match(value):
        # The value is a secret: describe the expected shape, never echo it.
        raise SettingsError(f"{name} is not a bot token: expected digits, ':', then letters "
                            "(as given by @BotFather)")
    return value


def _secret(name: str, value: str) -> str:
    if not _SECRET.match(value):
        raise SettingsError(f"{name} must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return value


def _http_url(name: str, value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"{name} must be an http(s) URL such as http://127.0.0.1:8081/bot, "
                            f"got {value!r}")
    return value


def _https_url(name: str, value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme != "https" or not parsed.netloc:
        raise SettingsError(f"{name} must be the public https:// URL Telegram posts to, "
                            f"got {value!r}")
    return value


def _database_url(name: str, value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("postgresql", "postgres") or not (parsed.hostname or parsed.query):
        # The value may hold a password: describe the expected shape, never echo it.
        raise SettingsError(f"{name} must be a PostgreSQL URL such as "
                            "postgresql://thidua:PASSWORD@db.example.vn:5432/thidua")
    return value


def database_password(url: str | None) -> str | None:
    """The password in a database URL, to keep out of the log."""
    return urlparse(url).password if url else None


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {value!r}") from None


def _port(name: str, value: str) -> int:
    port = _int(name, value)
    if not 1 <= port <= 65535:
        raise SettingsError(f"{name} must be a port between 1 and 65535, got {port}")
    return port


def _count(name: str, value: str) -> int:
    count = _int(name, value)
    if count < 0:
        raise SettingsError(f"{name} must be 0 (off) or more, got {count}")
    return count


def _at_least_one(name: str, value: str) -> int:
    count = _int(name, value)
    if count < 1:
        raise SettingsError(f"{name} must be 1 or more, got {count}")
    return count


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {value!r}") from None


def _positive(name: str, value: str) -> float:
    number = _number(name, value)
    if number <= 0:
        raise SettingsError(f"{name} must be more than 0, got {value!r}")
    return number


def _rate(name: str, value: str) -> float:
    number = _number(name, value)
    if number < 0:
        raise SettingsError(f"{name} must be 0 (no limit) or more, got {value!r}")
    return number


def _int_set(name: str, value: str) -> frozenset[int]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    bad = [item for item in items if not re.fullmatch(r"-?\d+", item)]
    if bad:
        raise SettingsError(f"{name} must be Telegram user ids separated by commas, "
                            f"not {', '.join(map(repr, bad))}")
    return frozenset(int(item) for item in items)


def _day_counts(name: str, value: str) -> tuple[int, ...]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items or not all(item.isdigit() and int(item) <= 366 for item in items):
        raise SettingsError(f"{name} must be days before an event separated by commas, "
                            f"e.g. 3,0 (0 is the day itself), got {value!r}")
    return tuple(sorted({int(item) for item in items}, reverse=True))


def _zone(name: str, value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{name} must be an IANA time zone such as Asia/Ho_Chi_Minh, "
                            f"got {value!r}") from None


def _log_level(name: str, value: str) -> str:
    level = value.upper()
    if level not in _LOG_LEVELS:
        raise SettingsError(f"{name} must be one of {', '.join(_LOG_LEVELS)}, got {value!r}")
    return level

