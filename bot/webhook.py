"""The webhook server: refuses requests without Telegram's secret, records before answering 200.

Telegram sends the secret registered with ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header of every request; anything else is refused (403).
An update is committed to the inbox before Telegram gets its 200, so a kill or a failed commit
only makes Telegram send it again (a failed commit answers 503). Served by tornado, which PTB's
``webhooks`` extra already brings.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApp
from tornado.web import RequestHandler

from bot.inbox import entries
from bot.storage import Store, StoreUnavailable

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20


def new_secret() -> str:
    """A fresh secret for ``setWebhook`` (Telegram allows A-Z, a-z, 0-9, _ and -)."""
    return secrets.token_urlsafe(32)


class _UpdateHandler(RequestHandler):
    """Accepts one POSTed update from Telegram."""

    def initialize(self, bot_app: Application, store: Store, secret: str,  # type: ignore[type-arg]
                   clock: Callable[[], dt.datetime]) -> None:
        self.bot_app = bot_app
        self.store = store
        self.secret = secret
        self.clock = clock

    async def post(self) -> None:
        """Check the secret, parse, record, answer, then hand the update to the bot."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            logger.warning("Refused a webhook request from %s without the right secret.",
                           self.request.remote_ip)
            self.send_error(HTTPStatus.FORBIDDEN)
            return
        try:
            data: Any = json.loads(self.request.body)
            update = Update.de_json(data, self.bot_app.bot)
        except (ValueError, TypeError, KeyError):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        try:
            await self.store.record_updates(entries([update], self.clock()))
        except StoreUnavailable as error:
            logger.error("Could not record update %s (%s): Telegram will send it again.",
                         update.update_id, error)
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self.set_status(HTTPStatus.OK)
        self.finish()
        await self.bot_app.update_queue.put(update)


def webhook_server(application: Application, store: Store, path: str,  # type: ignore[type-arg]
                   secret: str, clock: Callable[[], dt.datetime]) -> HTTPServer:
    """The HTTP server for ``/path``; call ``listen(port, address)`` to start it."""
    app = TornadoApp([(f"/{path.lstrip('/')}", _UpdateHandler,
                       {"bot_app": application, "store": store, "secret": secret,
                        "clock": clock})])
    return HTTPServer(app, max_body_size=MAX_BODY_BYTES)
