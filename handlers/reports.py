"""Report files sent to the bot: a bot admin's report becomes a draft to review, others are told.

A report (.pdf, .docx, .txt, .html) is downloaded within Telegram's limit for bots, read and
drafted by the ingester off the event loop, and stored with its panel; a YAML draft (as
``thidua kb ingest`` writes it, or the bot's own file edited) is checked and shown ready to add.
Every failure is one clear line, and nothing is added.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging

from telegram import Document, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.curation import check_yaml
from bot.records import ReportDraft
from handlers.auditing import audit
from handlers.permissions import is_bot_admin
from handlers.questions import answer_private_text
from handlers.replies import reply_plain
from handlers.review import expired, reply_long, send_panel, send_yaml
from handlers.services import Services, services_of
from handlers.texts import (
    DOWNLOAD_FAILED,
    MAX_REPORT_MB,
    NOT_CURATOR,
    YAML_NOT_UTF8,
    draft_not_added,
    draft_superseded,
    no_figures,
    report_too_long,
    reviewed_elsewhere,
    still_reviewing,
    too_big,
    unreadable_report,
    unsupported_file,
)
from knowledge.ingest import FORMATS, DocumentError, Review, document_text, ingest

logger = logging.getLogger(__name__)
# Telegram's Bot API lets bots download files up to 20 MB (getFile).
MAX_DOWNLOAD_BYTES = MAX_REPORT_MB * 1024 * 1024
# A draft keeps the report's text (to read it again for another unit or date): about 150 pages.
MAX_REPORT_CHARS = 500_000
_YAML = (".yaml", ".yml")
_BY_MIME = {
    "application/pdf": ".pdf", "text/plain": ".txt", "text/html": ".html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc", "application/x-yaml": ".yaml", "application/yaml": ".yaml",
    "text/yaml": ".yaml", "text/x-yaml": ".yaml",
}


def file_name(document: Document) -> str:
    """The document's name, with the extension its type implies when the name has none."""
    name = document.file_name or "tệp"
    if "." not in name.rpartition("/")[2] and document.mime_type in _BY_MIME:
        name += _BY_MIME[document.mime_type]
    return name


def file_kind(name: str) -> str | None:
    """``report`` for a report the ingester reads, ``yaml`` for a draft, else None."""
    lowered = name.lower()
    if lowered.endswith(_YAML):
        return "yaml"
    return "report" if lowered.endswith(FORMATS) else None


def draft_id(message: Message) -> str:
    """A draft's id from the message that brought its file: a replayed update makes no other."""
    key = f"{message.chat.id}:{message.message_id}".encode()
    return hashlib.blake2b(key, digest_size=6).hexdigest()


async def receive_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Draft a bot admin's report for review; anyone else's file gets one polite line."""
    message = update.effective_message
    services = services_of(context)
    if not is_bot_admin(message.from_user, services.admin_ids):
        if message.caption:  # a caption is a question, as under a photo
            await answer_private_text(update, context)
        else:
            await reply_plain(message, NOT_CURATOR)
        return
    document = message.document
    name = file_name(document)
    kind = file_kind(name)
    if kind is None:
        await reply_plain(message, unsupported_file(name))
        return
    if (document.file_size or 0) > MAX_DOWNLOAD_BYTES:
        await reply_plain(message, too_big(name, document.file_size or 0))
        return
    with contextlib.suppress(TelegramError):
        await message.get_bot().send_chat_action(message.chat.id, ChatAction.TYPING)
    data = await _download(message, document, name)
    if data is None:
        return
    if kind == "yaml":
        await _receive_yaml(message, services, data, name)
    else:
        await _receive_report(message, services, data, name)


async def _download(message: Message, document: Document, name: str) -> bytes | None:
    """The file's bytes, or None once the admin is told why not."""
    try:
        file = await message.get_bot().get_file(document.file_id)
        if (file.file_size or 0) > MAX_DOWNLOAD_BYTES:
            await reply_plain(message, too_big(name, file.file_size or 0))
            return None
        data = bytes(await file.download_as_bytearray())
    except BadRequest as error:
        if "too big" in error.message.lower():
            await reply_plain(message, too_big(name, document.file_size or MAX_DOWNLOAD_BYTES + 1))
            return None
        logger.warning("Report %s not downloaded: %s", name, error)
        await reply_plain(message, DOWNLOAD_FAILED)
        return None
    except TelegramError as error:
        logger.warning("Report %s not downloaded: %s", name, error)
        await reply_plain(message, DOWNLOAD_FAILED)
        return None
    if len(data) > MAX_DOWNLOAD_BYTES:
        await reply_plain(message, too_big(name, len(data)))
        return None
    return data


async def _receive_report(message: Message, services: Services, data: bytes, name: str) -> None:
    """Read and draft a report, then show its panel and send the draft as YAML."""
    try:
        text = await asyncio.to_thread(document_text, data, name)
    except DocumentError as error:
        await reply_plain(message, unreadable_report(error.problem, name))
        return
    if len(text) > MAX_REPORT_CHARS:
        await reply_plain(message, report_too_long(name, MAX_REPORT_CHARS))
        return
    user, now = message.from_user, services.clock()
    ident = draft_id(message)
    if (replayed := await services.store.report_draft(ident)) is not None:
        if replayed.state == "open":  # the update came again after a restart
            await send_panel(message, services, replayed)
        return
    digest = hashlib.sha256(text.encode()).hexdigest()
    same = [d for d in await services.store.report_drafts() if d.digest == digest
            and d.state in ("open", "adding") and not expired(d, now)]
    if same and same[0].admin_id != user.id:
        await reply_plain(message, reviewed_elsewhere(same[0].admin_id, same[0].created_at,
                                                      services.timezone))
        return
    if same:
        await reply_plain(message, still_reviewing(same[0].created_at, services.timezone))
        await send_panel(message, services, same[0])
        return
    draft = await asyncio.to_thread(ingest, text, services.kb, report=name)
    if not draft.candidates:
        await reply_plain(message, no_figures(name))
        return
    record = ReportDraft(id=ident, admin_id=user.id, chat_id=message.chat.id, file_name=name,
                         digest=digest, review=Review.of(draft, text).to_dict(), created_at=now)
    await services.store.save_report_draft(record)
    await audit(services, "report_drafted", user, chat_id=message.chat.id, subject=record.id,
                detail=f"{name}: {len(draft.candidates)} số liệu")
    record = await send_panel(message, services, record)
    await send_yaml(message, services, record)


async def _receive_yaml(message: Message, services: Services, data: bytes, name: str) -> None:
    """Check a draft sent as YAML; show it ready to add, or every problem (nothing kept)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        await reply_plain(message, YAML_NOT_UTF8)
        return
    check = await asyncio.to_thread(check_yaml, text, name, services.kb, services.curator)
    if check.addition is None:
        await reply_long(message, draft_not_added(check.problems))
        return
    user, now = message.from_user, services.clock()
    source_id = check.addition.source.id
    for earlier in await services.store.report_drafts(user.id):
        if earlier.state == "open" and earlier.review.get("source", {}).get("id") == source_id:
            await _supersede(message, services, earlier)
    record = ReportDraft(id=draft_id(message), admin_id=user.id, chat_id=message.chat.id,
                         file_name=name, digest=hashlib.sha256(text.encode()).hexdigest(),
                         review={"yaml": text}, created_at=now)
    await services.store.save_report_draft(record)
    await audit(services, "report_drafted", user, chat_id=message.chat.id, subject=record.id,
                detail=f"{name}: {check.addition.facts} số liệu (YAML)")
    await send_panel(message, services, record)


async def _supersede(message: Message, services: Services, draft: ReportDraft) -> None:
    """Close the button review of a report the admin sent back as YAML."""
    await services.store.save_report_draft(dataclasses.replace(
        draft, state="cancelled", decided_by=draft.admin_id, decided_at=services.clock()))
    if draft.message_id is not None:
        with contextlib.suppress(TelegramError):
            await message.get_bot().edit_message_text(draft_superseded(draft.file_name),
                                                      draft.chat_id, draft.message_id)
