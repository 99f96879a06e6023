"""The webhook server: refuses requests without Telegram's secret, records before answering 200.

Telegram sends the secret registered with ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header of every request; anything else is refused (403).
An update is committed to the inbox before Telegram gets its 200, so a kill or a failed commit
only makes Telegram send it again (a failed commit answers 503). Served by tornado, which PTB's
``webhooks`` extra already brings.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApp
from tornado.web import RequestHandler

from bot.inbox import Inbox
from bot.storage import StoreUnavailable

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20


def new_secret() -> str:
    """A fresh secret for ``setWebhook`` (Telegram allows A-Z, a-z, 0-9, _ and -)."""
    return secrets.token_urlsafe(32)


class _UpdateHandler(RequestHandler):
    """Accepts one POSTed update from Telegram."""

    def initialize(self, bot_app: Application, inbox: Inbox,  # type: ignore[type-arg]
                   secret: str) -> None:
        self.bot_app = bot_app
        self.inbox = inbox
        self.secret = secret

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
            fresh = await self.inbox.take([update])
        except StoreUnavailable as error:
            logger.error("Could not record update %s (%s): Telegram will send it again.",
                         update.update_id, error)
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self.set_status(HTTPStatus.OK)
        self.finish()
        for new in fresh:
            await self.bot_app.update_queue.put(new)


def webhook_server(application: Application, inbox: Inbox, path: str,  # type: ignore[type-arg]
                   secret: str) -> HTTPServer:
    """The HTTP server for ``/path``; call ``listen(port, address)`` to start it.

    An update Telegram sends again (our 200 lost) is answered 200 and not handled again.
    """
    app = TornadoApp([(f"/{path.lstrip('/')}", _UpdateHandler,
                       {"bot_app": application, "inbox": inbox, "secret": secret})])
    return HTTPServer(app, max_body_size=MAX_BODY_BYTES)
