"""Target reminders: /theodoi subscribes the chat, /huytheodoi cancels, /danhsach lists."""

from __future__ import annotations

import secrets

from telegram import Chat, Update
from telegram.ext import ContextTypes

from bot.schedule import UsageError, next_run, parse_subscribe
from handlers.addressing import command_argument
from handlers.notices import (
    GROUP_ADMINS_ONLY,
    MAX_SUBSCRIPTIONS,
    NOTHING_FOLLOWED,
    TOO_MANY_SUBSCRIPTIONS,
    district_problem,
    no_data,
    not_following,
    subscribed,
    subscription_list,
    unsubscribed,
)
from handlers.permissions import may_manage_chat
from handlers.replies import reply_plain
from handlers.services import services_of
from knowledge import KnowledgeBase, lookup_district
from knowledge.model import District


def find_district(text: str, kb: KnowledgeBase, command: str) -> District | str:
    """The former district a command argument names, or the reply explaining why not."""
    lookup = lookup_district(text, kb)
    if lookup.district is not None:
        return lookup.district
    return district_problem(lookup, command, list(kb.places))


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the chat to reminders of a district's targets; a mistake gets the usage."""
    message = update.effective_message
    services = services_of(context)
    request = parse_subscribe(command_argument(message))
    if isinstance(request, UsageError):
        await reply_plain(message, request.message)
        return
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return
    kb = services.kb
    district = find_district(request.district, kb, "theodoi")
    if isinstance(district, str):
        await reply_plain(message, district)
        return
    facts = kb.by_place.get(district.key, ())
    if not facts:
        await reply_plain(message, no_data(district, list(kb.places)))
        return
    chat_id = message.chat.id
    followed = {s.district for s in await services.store.subscriptions(chat_id)}
    if district.code not in followed and len(followed) >= MAX_SUBSCRIPTIONS:
        await reply_plain(message, TOO_MANY_SUBSCRIPTIONS)
        return
    subscription = await services.store.save_subscription(request.subscription(
        subscription_id=secrets.token_hex(6), chat_id=chat_id, district=district.code,
        now=services.clock(), tz=services.timezone.key))
    services.reminders.schedule(subscription)
    next_at = next_run(subscription, services.clock())
    has_targets = any(f.kind == "target" for f in facts)
    await reply_plain(message, subscribed(district, subscription, next_at, has_targets))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel the chat's reminders: of one district (``/huytheodoi <quận>``) or all."""
    message = update.effective_message
    services = services_of(context)
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return
    argument = command_argument(message)
    district = None
    if argument:
        district = find_district(argument, services.kb, "huytheodoi")
        if isinstance(district, str):
            await reply_plain(message, district)
            return
    removed = await services.store.remove_subscriptions(message.chat.id,
                                                        district.code if district else None)
    services.reminders.cancel(removed)
    if removed:
        districts = services.kb.gazetteer.districts
        await reply_plain(message, unsubscribed([districts[s.district] for s in removed
                                                 if s.district in districts]))
    else:
        await reply_plain(message, not_following(district) if district else NOTHING_FOLLOWED)


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the chat's reminders with their next run, and in a group its registration."""
    message = update.effective_message
    services = services_of(context)
    now = services.clock()
    districts = services.kb.gazetteer.districts
    rows = [(districts.get(s.district), s, next_run(s, now))
            for s in await services.store.subscriptions(message.chat.id)]
    group_districts, registered = None, False
    if message.chat.type != Chat.PRIVATE:
        group = await services.store.group(message.chat.id)
        registered = group is not None
        group_districts = [districts[c] for c in group.districts if c in districts] if group else []
    await reply_plain(message, subscription_list(rows, group_districts, registered))
