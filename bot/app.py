"""Composition root: builds the PTB Application from settings and the knowledge base, runs it."""

from __future__ import annotations

import logging
import traceback

from telegram import LinkPreviewOptions, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.settings import Settings, SettingsError
from handlers.buttons import QuestionButtons
from handlers.errors import report_error
from handlers.flood import FloodControl
from handlers.guard import limit_flood
from handlers.help import explain_non_text, explain_unknown_command, show_help
from handlers.inline import answer_inline_query
from handlers.questions import (
    answer_ask_command,
    answer_group_text,
    answer_pressed_suggestion,
    answer_private_text,
)
from handlers.services import Services, install_services
from handlers.texts import BOT_COMMANDS
from knowledge import KnowledgeBase

logger = logging.getLogger(__name__)


def build_application(settings: Settings, kb: KnowledgeBase) -> Application:
    """Build the bot: handlers, the error handler, the command menu and outgoing rate limits."""
    if not settings.telegram_bot_token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather")
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .defaults(Defaults(
            tzinfo=settings.timezone,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            # A reply still arrives when the question was deleted in the meantime.
            allow_sending_without_reply=True,
        ))
        .rate_limiter(AIORateLimiter(
            overall_max_rate=settings.outgoing_max_per_second,
            group_max_rate=settings.outgoing_group_max_per_minute,
        ))
        .post_init(_register_commands)
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    application = builder.build()
    install_services(application, Services(
        kb=kb,
        buttons=QuestionButtons(),
        flood=FloodControl(settings.flood_max_messages, settings.flood_window_seconds),
    ))

    new_message = filters.UpdateType.MESSAGE
    text = new_message & filters.TEXT & ~filters.COMMAND
    application.add_handler(TypeHandler(Update, limit_flood), group=-1)
    application.add_handlers([
        CommandHandler(("start", "help"), show_help, filters=new_message),
        CommandHandler("hoi", answer_ask_command, filters=new_message),
        MessageHandler(text & filters.ChatType.PRIVATE, answer_private_text),
        MessageHandler(text & filters.ChatType.GROUPS, answer_group_text),
        MessageHandler(new_message & filters.COMMAND, explain_unknown_command),
        MessageHandler(
            new_message & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            explain_non_text,
        ),
        CallbackQueryHandler(answer_pressed_suggestion),
        InlineQueryHandler(answer_inline_query),
    ])
    application.add_error_handler(report_error)
    return application


async def _register_commands(application: Application) -> None:
    await application.bot.set_my_commands(BOT_COMMANDS)


class TokenRedactor(logging.Filter):
    """Replace a secret in log records (message and traceback) with ``<token>``.

    Bot API URLs carry the token, and PTB and httpx log URLs at DEBUG and INFO.
    """

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drop it."""
        message = record.getMessage()
        if self._secret in message:
            record.msg, record.args = message.replace(self._secret, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = record.exc_text.replace(self._secret, "<token>")
        return True


def configure_logging(settings: Settings) -> None:
    """Log at ``LOG_LEVEL`` through handlers that never print the token."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    # One line per Bot API request (a long poll every few seconds) is noise at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if settings.telegram_bot_token:
        for handler in root.handlers:
            handler.addFilter(TokenRedactor(settings.telegram_bot_token))


def run_telegram(settings: Settings, kb: KnowledgeBase) -> None:
    """Run the bot until interrupted: by webhook when WEBHOOK_URL is set, else by long polling."""
    configure_logging(settings)
    application = build_application(settings, kb)
    if settings.webhook_url:
        logger.info("Starting in webhook mode on %s:%s", settings.webhook_listen,
                    settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=settings.webhook_path,
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        logger.info("Starting in long polling mode")
        application.run_polling(allowed_updates=Update.ALL_TYPES)
