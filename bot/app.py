"""Composition root: builds the PTB Application from settings and the knowledge base, runs it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
import traceback
from pathlib import Path

from telegram import LinkPreviewOptions, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.connect import reach_telegram
from bot.delivery import Clock, Courier
from bot.lanes import SenderLanes
from bot.library import Library
from bot.reminders import Reminders
from bot.settings import Settings, SettingsError
from bot.storage import open_store
from handlers.announcements import ANNOUNCEMENT_PATTERN, decide_announcement, draft_announcement
from handlers.buttons import CHART_PATTERN, EXAMPLE_PATTERN, FEEDBACK_PATTERN, QuestionButtons
from handlers.charts import send_chart_command, send_pressed_chart
from handlers.errors import report_error
from handlers.feedback import list_unanswered, record_feedback
from handlers.flood import FloodControl
from handlers.groups import follow_membership, follow_migration, register_group, unregister_group
from handlers.guard import limit_flood
from handlers.help import explain_non_text, explain_unknown_command, show_help, show_start
from handlers.inline import answer_inline_query
from handlers.menus import offer_admin_menu, set_profile
from handlers.questions import (
    answer_ask_command,
    answer_group_text,
    answer_pressed_example,
    answer_pressed_suggestion,
    answer_private_text,
)
from handlers.render import render_one_html
from handlers.services import Services, install_services, services_of
from handlers.subscriptions import (
    FOLLOW_PATTERN,
    UNFOLLOW_PATTERN,
    follow_pressed,
    list_subscriptions,
    subscribe,
    unfollow_pressed,
    unsubscribe,
)
from handlers.texts import broadcast_report
from handlers.updates import apply_reload, reload_knowledge
from knowledge import KnowledgeBase
from knowledge.charts import chartable_metrics

logger = logging.getLogger(__name__)
RETRIES_AFTER_429 = 2
# Entries in the unanswered log one user may add per day.
UNANSWERED_PER_USER_PER_DAY = 20
# Delivered messages are kept this long (the sent log outlives every reminder's grace window).
HISTORY = dt.timedelta(days=30)


def build_application(settings: Settings, kb: KnowledgeBase, clock: Clock | None = None,
                      kb_dir: Path | None = None) -> Application:
    """Build the bot: handlers, storage, reminders, delivery, the menu and outgoing rate limits.

    It locks ``settings.data_dir`` (``DataDirLocked`` if another bot holds it) until shutdown.
    ``kb`` was loaded from ``kb_dir`` (None: the packaged data), where a reload reads again.
    ``clock`` (aware ``now``) is the real time unless a test passes another.
    """
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
            # Waits out a 429 and tries again, pausing every send meanwhile; past that the
            # outbox holds the row until Telegram allows (bot/delivery.py).
            max_retries=RETRIES_AFTER_429,
        ))
        # One sender's updates in order; a flood from one user never holds up the others.
        .concurrent_updates(SenderLanes())
        .post_init(_start)
        .post_shutdown(_close)
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    application = builder.build()
    clock = clock or (lambda: dt.datetime.now(settings.timezone))
    store = open_store(settings.data_dir)
    library = Library(kb, kb_dir)
    # The courier tells the reminders which subscriptions went with a chat that refused delivery.
    courier = Courier(application.job_queue, store, clock, broadcast_report,
                      dropped=lambda subscriptions: reminders.cancel(subscriptions))
    reminders = Reminders(application.job_queue, store, library, courier, clock,
                          render_one_html, settings.reminder_grace, settings.countdown_days)
    install_services(application, Services(
        library=library,
        buttons=QuestionButtons(),
        flood=FloodControl(settings.flood_max_messages, settings.flood_window_seconds,
                           settings.flood_burst),
        log_quota=FloodControl(UNANSWERED_PER_USER_PER_DAY, 24 * 3600),
        store=store,
        courier=courier,
        reminders=reminders,
        clock=clock,
        timezone=settings.timezone,
        admin_ids=settings.admin_ids,
    ))

    new_message = filters.UpdateType.MESSAGE
    text = new_message & filters.TEXT & ~filters.COMMAND
    captioned = new_message & filters.CAPTION & (filters.PHOTO | filters.Document.ALL)
    application.add_handler(TypeHandler(Update, limit_flood), group=-2)
    application.add_handler(TypeHandler(Update, offer_admin_menu), group=-1)
    application.add_handlers([
        CommandHandler("start", show_start, filters=new_message),
        CommandHandler("help", show_help, filters=new_message),
        CommandHandler("hoi", answer_ask_command, filters=new_message),
        CommandHandler("bieudo", send_chart_command, filters=new_message),
        CommandHandler("theodoi", subscribe, filters=new_message),
        CommandHandler("huytheodoi", unsubscribe, filters=new_message),
        CommandHandler("danhsach", list_subscriptions, filters=new_message),
        CommandHandler("dangkynhom", register_group, filters=new_message),
        CommandHandler("huydangkynhom", unregister_group, filters=new_message),
        CommandHandler("thongbao", draft_announcement, filters=new_message),
        CommandHandler("capnhat", reload_knowledge, filters=new_message),
        CommandHandler("chuatraloi", list_unanswered, filters=new_message),
        MessageHandler(filters.StatusUpdate.MIGRATE, follow_migration),
        ChatMemberHandler(follow_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(text & filters.ChatType.PRIVATE, answer_private_text),
        MessageHandler(text & filters.ChatType.GROUPS, answer_group_text),
        # The seam for the curator flow: a handler for bot admins' documents goes before these.
        MessageHandler(captioned & filters.ChatType.PRIVATE, answer_private_text),
        MessageHandler(captioned & filters.ChatType.GROUPS, answer_group_text),
        MessageHandler(new_message & filters.COMMAND, explain_unknown_command),
        MessageHandler(
            new_message & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            explain_non_text,
        ),
        CallbackQueryHandler(send_pressed_chart, pattern=CHART_PATTERN),
        CallbackQueryHandler(decide_announcement, pattern=ANNOUNCEMENT_PATTERN),
        CallbackQueryHandler(record_feedback, pattern=FEEDBACK_PATTERN),
        CallbackQueryHandler(answer_pressed_example, pattern=EXAMPLE_PATTERN),
        CallbackQueryHandler(follow_pressed, pattern=FOLLOW_PATTERN),
        CallbackQueryHandler(unfollow_pressed, pattern=UNFOLLOW_PATTERN),
        CallbackQueryHandler(answer_pressed_suggestion),
        InlineQueryHandler(answer_inline_query),
    ])
    application.add_error_handler(report_error)
    return application


async def _start(application: Application) -> None:
    """Set the descriptions and menus, trim old history, reschedule reminders, resume delivery."""
    services = services_of(application)
    services.admin_menus.update(await set_profile(application.bot, services.admin_ids))
    forgotten = services.store.forget_before(services.clock() - HISTORY)
    if forgotten:
        logger.info("Forgot %s delivered messages older than %s days.", forgotten, HISTORY.days)
    services.reminders.start()
    # Which metrics can be charted is worked out once, off the loop (a second at national scale).
    await asyncio.to_thread(chartable_metrics, services.kb)
    # `thidua kb reload` asks a running bot to reload with SIGHUP.
    asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, apply_reload, services)


async def _close(application: Application) -> None:
    """Close the store and release the data directory."""
    services_of(application).store.close()


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


def run_telegram(settings: Settings, kb: KnowledgeBase, kb_dir: Path | None = None) -> None:
    """Run the bot until interrupted: by webhook when WEBHOOK_URL is set, else by long polling.

    It first waits until Telegram answers (``reach_telegram``); a rejected token raises
    ``SettingsError``.
    """
    configure_logging(settings)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # PTB runs the bot on this loop too
    try:
        username = loop.run_until_complete(reach_telegram(settings))
    except KeyboardInterrupt:
        loop.close()
        return
    except SettingsError:
        loop.close()
        raise
    logger.info("Telegram answers: this is @%s", username)
    application = build_application(settings, kb, kb_dir=kb_dir)
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
            bootstrap_retries=-1,
        )
    else:
        logger.info("Starting in long polling mode")
        # Should the network go away again while starting, PTB retries instead of giving up.
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
