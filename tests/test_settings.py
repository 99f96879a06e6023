"""Settings come from the environment over .env, and bad values name their variable."""

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

TOKEN = "123456:ABC-def_ghi"


def load(env_file=None, **environ):
    return load_settings(env_file=env_file, environ=environ)


def test_defaults_without_any_variable():
    settings = load()
    assert settings == Settings()
    assert settings.telegram_bot_token is None
    assert str(settings.data_dir) == "data"
    assert settings.timezone.key == "Asia/Ho_Chi_Minh"
    assert settings.webhook_url is None


def test_every_variable_is_read():
    settings = load(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot",
        WEBHOOK_URL="https://bot.example.vn/tg/hook", WEBHOOK_PORT="8080",
        WEBHOOK_SECRET="s3cret_-", WEBHOOK_LISTEN="127.0.0.1", DATA_DIR="/var/lib/thidua",
        ADMIN_IDS="11, 22,", TIMEZONE="UTC", LOG_LEVEL="debug", FLOOD_MAX_MESSAGES="5",
        FLOOD_WINDOW_SECONDS="30", FLOOD_BURST="12", OUTGOING_MAX_PER_SECOND="0",
        OUTGOING_GROUP_MAX_PER_MINUTE="10",
    )
    assert settings.telegram_bot_token == TOKEN
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.webhook_path == "tg/hook"
    assert settings.webhook_port == 8080
    assert settings.webhook_secret == "s3cret_-"
    assert settings.webhook_listen == "127.0.0.1"
    assert str(settings.data_dir) == "/var/lib/thidua"
    assert settings.admin_ids == {11, 22}
    assert settings.timezone.key == "UTC"
    assert settings.log_level == "DEBUG"
    assert (settings.flood_max_messages, settings.flood_window_seconds) == (5, 30.0)
    assert settings.flood_burst == 12
    assert (settings.outgoing_max_per_second, settings.outgoing_group_max_per_minute) == (0, 10)


def test_environment_wins_over_env_file_and_empty_means_unset(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nLOG_LEVEL=WARNING\nDATA_DIR=/from/file\n")
    settings = load(env_file, LOG_LEVEL="ERROR", DATA_DIR="")
    assert settings.telegram_bot_token == TOKEN
    assert settings.log_level == "ERROR"
    assert str(settings.data_dir) == "/from/file"


def test_missing_env_file_is_fine(tmp_path):
    assert load(tmp_path / "absent.env") == Settings()


@pytest.mark.parametrize(("variable", "value"), [
    ("WEBHOOK_PORT", "http"),
    ("WEBHOOK_PORT", "70000"),
    ("WEBHOOK_URL", "http://insecure.example.vn/hook"),
    ("WEBHOOK_SECRET", "has spaces"),
    ("TELEGRAM_API_BASE_URL", "127.0.0.1:8081"),
    ("ADMIN_IDS", "11,abc"),
    ("TIMEZONE", "Hanoi/Nowhere"),
    ("LOG_LEVEL", "LOUD"),
    ("FLOOD_MAX_MESSAGES", "-1"),
    ("FLOOD_WINDOW_SECONDS", "0"),
    ("OUTGOING_MAX_PER_SECOND", "fast"),
])
def test_bad_value_names_its_variable(variable, value):
    with pytest.raises(SettingsError, match=variable):
        load(**{variable: value})


def test_malformed_token_is_reported_without_echoing_it():
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN") as error:
        load(TELEGRAM_BOT_TOKEN="secret-but-wrong")
    assert "secret-but-wrong" not in str(error.value)


def test_secrets_stay_out_of_repr():
    settings = load(TELEGRAM_BOT_TOKEN=TOKEN, WEBHOOK_SECRET="hook_secret")
    assert TOKEN not in repr(settings)
    assert "hook_secret" not in repr(settings)
    assert "hook_secret" not in str(settings)


def test_env_example_documents_every_setting_with_its_default():
    example = Path(__file__).parents[1] / ".env.example"
    documented = {line.split("=", 1)[0] for line in example.read_text(encoding="utf-8").splitlines()
                  if "=" in line and not line.startswith("#")}
    assert documented == {name.upper() for name in Settings.__dataclass_fields__}
    assert load_settings(example, environ={}) == Settings()
