"""Composition root: builds the PTB Application from settings and the knowledge base, runs it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import traceback
from pathlib import Path
from typing import ClassVar

from telegram import LinkPreviewOptions, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.background import Background
from bot.concurrency import ChatOrderedProcessor
from bot.connect import reach_telegram
from bot.curation import Curator
from bot.delivery import Clock, Courier, Sleep
from bot.inbox import Inbox, InboxApplication, InboxBot, replay_unhandled
from bot.journal import Writer
from bot.library import Library
from bot.ratelimit import ChatRateLimiter, LocalBudget, SendBudget
from bot.reminders import Reminders
from bot.schedule import RetryPolicy
from bot.settings import Settings, SettingsError, database_password
from bot.signals import ReloadSignal
from bot.storage import Store, StoreUnavailable, open_store
from bot.webhook import new_secret, webhook_server
from handlers.acknowledgements import ACK_PATTERN, ack_buttons, acknowledge, show_acks
from handlers.announcements import (
    ANNOUNCEMENT_PATTERN,
    SCHEDULED_PATTERN,
    cancel_scheduled,
    decide_announcement,
    draft_announcement,
    list_scheduled,
)
from handlers.buttons import CHART_PATTERN, EXAMPLE_PATTERN, FEEDBACK_PATTERN, QuestionButtons
from handlers.charts import send_chart_command, send_pressed_chart
from handlers.errors import report_error
from handlers.feedback import list_unanswered, record_feedback
from handlers.flood import FloodControl
from handlers.groups import follow_membership, follow_migration, register_group, unregister_group
from handlers.guard import limit_flood
from handlers.health import show_audit, show_status
from handlers.help import explain_non_text, explain_unknown_command, show_help, show_start
from handlers.inline import answer_inline_query
from handlers.menus import offer_admin_menu, set_profile
from handlers.questions import (
    THREAD_KEPT,
    answer_ask_command,
    answer_group_text,
    answer_pressed_example,
    answer_pressed_suggestion,
    answer_private_text,
)
from handlers.render import render_reminder_html
from handlers.reports import receive_document
from handlers.review import (
    DRAFT_KEPT,
    REVIEW_PATTERN,
    answer_review_prompt,
    press_review_button,
    reopen_interrupted_drafts,
)
from handlers.services import Services, install_services, services_of
from handlers.subscriptions import (
    FOLLOW_PATTERN,
    OFFER_PATTERN,
    UNFOLLOW_PATTERN,
    follow_pressed,
    list_subscriptions,
    subscribe,
    take_offer,
    unfollow_pressed,
    unsubscribe,
)
from handlers.texts import (
    DATABASE_WRITE_FAILED,
    STATE_WRITE_FAILED,
    STATE_WRITE_RESUMED,
    broadcast_report,
)
from handlers.updates import GIVEN_KEPT, announce_reload, apply_reload, reload_knowledge
from knowledge import KnowledgeBase
from knowledge.charts import chartable_metrics

logger = logging.getLogger(__name__)
_RELOAD = "reload_signal"
_CLUSTER = "cluster"
RETRIES_AFTER_429 = 2
# Entries in the unanswered log one user may add per day.
UNANSWERED_PER_USER_PER_DAY = 20
# Delivered messages are kept this long (the sent log outlives every reminder's grace window).
HISTORY = dt.timedelta(days=30)
TRIM_EVERY = dt.timedelta(hours=1)
# Telegram keeps an unconfirmed update for a day: handled ids are kept longer.
HANDLED_UPDATES_KEPT = dt.timedelta(days=2)
# Reminders sent and their acknowledgements: a year of them, for the year-end assessment.
ACKS_KEPT = dt.timedelta(days=400)
CONCURRENT_UPDATES = 32


def build_application(settings: Settings, kb: KnowledgeBase, clock: Clock | None = None,
                      kb_dir: Path | None = None, *, sleep: Sleep | None = None,
                      store_writer: Writer | None = None,
                      reload_signal: ReloadSignal | None = None) -> Application:
    """Build the bot: handlers, storage, inbox, reminders, delivery, menus and rate limits.

    It locks ``settings.data_dir`` (``DataDirLocked`` if another bot holds it) until shutdown;
    with ``DATABASE_URL`` the state is in PostgreSQL instead, shared with other instances.
    ``kb`` was loaded from ``kb_dir`` (None: the packaged data), where a reload reads again.
    ``clock`` (aware ``now``) and ``sleep`` are the real ones unless a test passes others;
    ``store_writer`` replaces the journal's writes (fault tests).
    """
    if not settings.telegram_bot_token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set: get one from @BotFather")
    clock = clock or (lambda: dt.datetime.now(settings.timezone))
    sleep = sleep or asyncio.sleep
    store: Store
    budget: SendBudget
    if settings.database_url:
        from bot.cluster import Cluster

        cluster: Cluster | None = Cluster(settings, clock)
        store, budget, inbox = cluster.store, cluster.budget, cluster.inbox
        logger.info("State in PostgreSQL (DATABASE_URL), shared with the other instances")
    else:
        cluster = None
        store = open_store(settings.data_dir, writer=store_writer,
                           keep_backups=settings.state_backups)
        budget = LocalBudget(settings.outgoing_max_per_second,
                             settings.outgoing_group_max_per_minute)
        inbox = Inbox(store, clock)
        logger.info("State in %s", settings.data_dir.resolve())
    timeout = settings.telegram_timeout_seconds
    bot = InboxBot(
        token=settings.telegram_bot_token,
        base_url=settings.telegram_api_base_url or "https://api.telegram.org/bot",
        base_file_url=settings.telegram_file_base_url,
        defaults=Defaults(
            tzinfo=settings.timezone,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            # A reply still arrives when the question was deleted in the meantime.
            allow_sending_without_reply=True,
        ),
        request=HTTPXRequest(connection_pool_size=256, read_timeout=timeout,
                             write_timeout=timeout),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        # A chat's 429 holds back that chat only; the outbox holds its own rows itself.
        rate_limiter=ChatRateLimiter(budget, RETRIES_AFTER_429),
    )
    application = (
        Application.builder()
        .bot(bot)
        .application_class(InboxApplication)
        .concurrent_updates(ChatOrderedProcessor(CONCURRENT_UPDATES, turn=inbox.turn))
        .post_init(_start)
        .post_stop(_stop)
        .post_shutdown(_close)
        .build()
    )
    bot.record_into(inbox)
    application.mark_in(inbox)
    library = Library(kb, kb_dir, settings.kb_cache_dir)

    async def tell_admins(text: str) -> None:
        for admin_id in settings.admin_ids:
            with contextlib.suppress(TelegramError):
                await application.bot.send_message(admin_id, text)

    # The courier tells the reminders which subscriptions went with a chat that refused delivery.
    courier = Courier(store, clock, broadcast_report,
                      dropped=lambda subscriptions: reminders.cancel(subscriptions),
                      policy=RetryPolicy(give_up_after=settings.delivery_retry),
                      sleep=sleep, admin_notice=tell_admins,
                      notices=(DATABASE_WRITE_FAILED if cluster else STATE_WRITE_FAILED,
                               STATE_WRITE_RESUMED),
                      shared=cluster is not None)
    reminders = Reminders(
        application.job_queue, store, library, courier, clock,
        lambda kb, said, place, ack_id: (render_reminder_html(kb, said, place),
                                         ack_buttons(ack_id)),
        settings.reminder_grace, settings.countdown_days)
    kb_versions = None
    if cluster is not None:
        kb_versions = cluster.knowledge(library, lambda result: announce_reload(
            services_of(application), result, subject="thidua kb reload"))
        cluster.wire(application, courier, reminders)
    application.bot_data[_CLUSTER] = cluster
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
        background=Background(),
        curator=Curator(kb_dir),
        conversation_idle=settings.conversation_idle,
        kb_versions=kb_versions,
    ))
    application.bot_data[_RELOAD] = reload_signal or ReloadSignal()

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
        CommandHandler("trangthai", show_status, filters=new_message),
        CommandHandler("nhatky", show_audit, filters=new_message),
        CommandHandler("lichthongbao", list_scheduled, filters=new_message),
        CommandHandler("baocao", show_acks, filters=new_message),
        MessageHandler(filters.StatusUpdate.MIGRATE, follow_migration),
        ChatMemberHandler(follow_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        # A bot admin's reply to a review prompt sets a draft's field; other replies are questions.
        MessageHandler(text & filters.ChatType.PRIVATE & filters.REPLY, answer_review_prompt),
        MessageHandler(text & filters.ChatType.PRIVATE, answer_private_text),
        MessageHandler(text & filters.ChatType.GROUPS, answer_group_text),
        MessageHandler(new_message & filters.Document.ALL & filters.ChatType.PRIVATE,
                       receive_document),
        MessageHandler(captioned & filters.ChatType.PRIVATE, answer_private_text),
        MessageHandler(captioned & filters.ChatType.GROUPS, answer_group_text),
        MessageHandler(new_message & filters.COMMAND, explain_unknown_command),
        MessageHandler(
            new_message & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            explain_non_text,
        ),
        CallbackQueryHandler(send_pressed_chart, pattern=CHART_PATTERN),
        CallbackQueryHandler(decide_announcement, pattern=ANNOUNCEMENT_PATTERN),
        CallbackQueryHandler(cancel_scheduled, pattern=SCHEDULED_PATTERN),
        CallbackQueryHandler(acknowledge, pattern=ACK_PATTERN),
        CallbackQueryHandler(take_offer, pattern=OFFER_PATTERN),
        CallbackQueryHandler(press_review_button, pattern=REVIEW_PATTERN),
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
    """Set descriptions and menus; resume unhandled updates, reminders and delivery; trim hourly."""
    services = services_of(application)
    await services.store.connect()
    cluster = application.bot_data[_CLUSTER]
    if cluster is not None:
        await cluster.start(application)
    services.admin_menus.update(await set_profile(application.bot, services.admin_ids))
    # Which metrics can be charted is worked out once, off the loop (a second at national scale).
    await asyncio.to_thread(chartable_metrics, services.kb)
    await _trim_history(application)
    assert isinstance(application, InboxApplication) and application.inbox is not None
    await reopen_interrupted_drafts(services)
    await replay_unhandled(application, application.inbox)
    await services.reminders.start()
    services.courier.start(application.bot)
    application.job_queue.run_repeating(_trim_job, TRIM_EVERY, first=TRIM_EVERY, name="history")
    # `thidua kb reload` asks a running bot to reload with SIGHUP.
    application.bot_data[_RELOAD].attach(
        lambda: services.background.run(apply_reload(services), "Knowledge base reload"))


async def _trim_history(application: Application) -> None:
    services = services_of(application)
    now = services.clock()
    try:
        forgotten = await services.store.forget_before(now - HISTORY)
        await services.store.forget_updates(now - HANDLED_UPDATES_KEPT)
        await services.store.trim_records(now - GIVEN_KEPT, now - ACKS_KEPT)
        await services.store.forget_conversations(now - THREAD_KEPT)
        await services.store.forget_report_drafts(now - DRAFT_KEPT)
    except StoreUnavailable as error:
        logger.error("History not trimmed: %s", error)
        return
    if forgotten:
        logger.info("Forgot %s delivered messages older than %s days.", forgotten, HISTORY.days)


async def _trim_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await _trim_history(context.application)
    cluster = context.application.bot_data[_CLUSTER]
    if cluster is not None:
        await cluster.trim()


async def _stop(application: Application) -> None:
    """Stop delivery and background work while the bot can still talk to Telegram."""
    application.bot_data[_RELOAD].detach()
    services = services_of(application)
    await services.courier.stop()
    cluster = application.bot_data[_CLUSTER]
    if cluster is not None:
        await cluster.stop()
    await services.background.drain()


async def _close(application: Application) -> None:
    """Close the store: release the data directory, or leave the instances on the database."""
    cluster = application.bot_data[_CLUSTER]
    if cluster is not None:
        await cluster.close()
    else:
        await services_of(application).store.close()


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


class PrivateDataFilter(logging.Filter):
    """Keep users' names and questions out of the log.

    At DEBUG, PTB logs each update it processes and each Bot API call's parameters and result
    (names, questions, replies); only the update id or the method is kept.
    """

    _PAYLOADS: ClassVar[dict[str, str]] = {
        "Processing update %s": "Processing update %s",
        "Calling Bot API endpoint `%s` with parameters `%s`": "Calling Bot API endpoint `%s`",
        "Call to Bot API endpoint `%s` finished with return value `%s`":
            "Call to Bot API endpoint `%s` finished",
    }

    def filter(self, record: logging.LogRecord) -> bool:
        """Withhold users' data from PTB's DEBUG records; never drop a record."""
        short = self._PAYLOADS.get(record.msg) if isinstance(record.msg, str) else None
        if short is None or not isinstance(record.args, tuple) or not record.args:
            return True
        first = record.args[0]
        if isinstance(first, Update):
            first = first.update_id
        record.msg, record.args = f"{short} (users' data withheld)", (first,)
        return True


def configure_logging(settings: Settings) -> None:
    """Log at ``LOG_LEVEL`` through handlers that never print the token or users' data."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(settings.log_level)
    # One line per Bot API request (a long poll every few seconds) is noise at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for handler in root.handlers:
        handler.addFilter(PrivateDataFilter())
        for secret in (settings.telegram_bot_token, settings.webhook_secret,
                       database_password(settings.database_url)):
            if secret:
                handler.addFilter(TokenRedactor(secret))


def run_telegram(settings: Settings, kb: KnowledgeBase, kb_dir: Path | None = None,
                 reload_signal: ReloadSignal | None = None) -> None:
    """Run the bot until interrupted: by webhook when WEBHOOK_URL is set, else by long polling.

    ``reload_signal`` has noted SIGHUP since the process started. It first waits until
    Telegram answers (``reach_telegram``); a rejected token raises ``SettingsError``.
    """
    configure_logging(settings)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # long polling runs the bot on this loop too
    try:
        username = loop.run_until_complete(reach_telegram(settings))
    except KeyboardInterrupt:  # Ctrl-C while waiting for the network
        loop.close()
        return
    except SettingsError:
        loop.close()
        raise
    logger.info("Telegram answers: this is @%s", username)
    application = build_application(settings, kb, kb_dir=kb_dir, reload_signal=reload_signal)
    if settings.webhook_url:
        loop.close()
        asyncio.run(serve_webhook(application, settings))
    else:
        logger.info("Starting in long polling mode")
        # Should the network go away again while starting, PTB retries instead of giving up.
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)


async def serve_webhook(application: Application, settings: Settings,
                        stop: asyncio.Event | None = None) -> None:
    """Serve Telegram's webhook until SIGINT/SIGTERM (or ``stop``).

    Without ``WEBHOOK_SECRET`` a fresh secret is generated and registered with ``setWebhook``
    at each start, so the server never accepts requests without one.
    """
    if settings.database_url and not settings.webhook_secret:
        raise SettingsError("WEBHOOK_SECRET must be set with DATABASE_URL: the instances "
                            "behind one webhook share one secret")
    secret = settings.webhook_secret or new_secret()
    if not settings.webhook_secret:
        logger.warning("WEBHOOK_SECRET is not set: registering a secret generated for this run.")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    assert isinstance(application, InboxApplication) and application.inbox is not None
    server = webhook_server(application, application.inbox, settings.webhook_path, secret)
    await application.initialize()
    try:
        await _start(application)
        server.listen(settings.webhook_port, settings.webhook_listen)
        logger.info("Webhook server on %s:%s", settings.webhook_listen, settings.webhook_port)
        await application.bot.set_webhook(settings.webhook_url, secret_token=secret,
                                          allowed_updates=Update.ALL_TYPES)
        await application.start()
        await stop.wait()
    finally:
        server.stop()
        if application.running:
            await application.stop()
        await _stop(application)
        await application.shutdown()
        await _close(application)
