"""Target reminders: /theodoi subscribes the chat, /huytheodoi cancels, /danhsach lists.

Bare commands from the menu prompt with buttons: units with targets to follow, the chat's
reminders to cancel. Cancelling them all always asks first.
"""

from __future__ import annotations

import secrets

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.schedule import SubscribeRequest, Subscription, UsageError, next_run, parse_subscribe
from handlers.addressing import command_argument
from handlers.permissions import may_manage_chat, may_press_for_chat
from handlers.replies import edit_unless_unchanged, reply_plain
from handlers.services import Services, services_of
from handlers.texts import (
    CANCEL_ALL_BUTTON,
    CONFIRM_CANCEL_ALL_BUTTON,
    FOLLOW_PICK,
    GROUP_ADMINS_ONLY,
    KEEP_BUTTON,
    KEPT,
    MAX_SUBSCRIPTIONS,
    NOTHING_FOLLOWED,
    NOTHING_TO_FOLLOW,
    STALE_REMINDER_BUTTON,
    TOO_MANY_SUBSCRIPTIONS,
    UNFOLLOW_PICK,
    confirm_cancel_all,
    district_problem,
    no_data,
    not_following,
    subscribed,
    subscription_list,
    unfollow_button,
    unsubscribed,
    usage_error,
)
from knowledge import KnowledgeBase, lookup_district
from knowledge.model import District
from knowledge.text import fold

FOLLOW_PATTERN = r"^s:"
UNFOLLOW_PATTERN = r"^u:"
_FOLLOW, _UNFOLLOW = "s:", "u:"
_ALL, _ALL_CONFIRMED, _KEEP = "*", "*!", "-"
_ALL_WORDS = ("tat ca", "het", "tat ca cac quan")


def find_district(text: str, kb: KnowledgeBase, command: str) -> District | str:
    """The former district a command argument names, or the reply explaining why not."""
    lookup = lookup_district(text, kb)
    if lookup.district is not None:
        return lookup.district
    return district_problem(lookup, command, list(kb.places))


def followable(kb: KnowledgeBase) -> list[District]:
    """Former districts with targets in the knowledge base, the ones worth a reminder."""
    return [place for place in kb.places if isinstance(place, District)
            and any(f.kind == "target" for f in kb.by_place.get(place.key, ()))]


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the chat to a district's target reminders; a bare /theodoi offers districts."""
    message = update.effective_message
    services = services_of(context)
    argument = command_argument(message)
    request = parse_subscribe(argument) if argument else None
    if isinstance(request, UsageError):
        await reply_plain(message, usage_error(request))
        return
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return
    if request is None:
        await _offer_districts(message, services)
        return
    district = find_district(request.district, services.kb, "theodoi")
    if isinstance(district, str):
        await reply_plain(message, district)
        return
    await reply_plain(message, await _follow(services, message.chat.id, district, request))


async def _offer_districts(message: Message, services: Services) -> None:
    districts = followable(services.kb)
    if not districts:
        await reply_plain(message, NOTHING_TO_FOLLOW)
        return
    rows = [[InlineKeyboardButton(d.name, callback_data=f"{_FOLLOW}{d.code}")] for d in districts]
    await message.reply_text(FOLLOW_PICK, reply_markup=InlineKeyboardMarkup(rows),
                             do_quote=message.chat.type != Chat.PRIVATE)


async def follow_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the chat to the district pressed under a bare /theodoi (weekly, Monday 08:00)."""
    query = update.callback_query
    services = services_of(context)
    district = services.kb.gazetteer.districts.get((query.data or "").removeprefix(_FOLLOW))
    if district is None or not isinstance(query.message, Message):
        await query.answer(STALE_REMINDER_BUTTON)
        return
    if not await may_press_for_chat(query, context.bot, services.admin_ids):
        await query.answer(GROUP_ADMINS_ONLY, show_alert=True)
        return
    await query.answer()
    text = await _follow(services, query.message.chat.id, district,
                         SubscribeRequest(district.name))
    await edit_unless_unchanged(query.edit_message_text(text))


async def _follow(services: Services, chat_id: int, district: District,
                  request: SubscribeRequest) -> str:
    """Save the subscription and schedule it; the reply says when, or why not."""
    kb = services.kb
    facts = kb.by_place.get(district.key, ())
    if not facts:
        return no_data(district, list(kb.places))
    followed = {s.district for s in await services.store.subscriptions(chat_id)}
    if district.code not in followed and len(followed) >= MAX_SUBSCRIPTIONS:
        return TOO_MANY_SUBSCRIPTIONS
    subscription = await services.store.save_subscription(request.subscription(
        subscription_id=secrets.token_hex(6), chat_id=chat_id, district=district.code,
        now=services.clock(), tz=services.timezone.key))
    services.reminders.schedule(subscription)
    next_at = next_run(subscription, services.clock())
    return subscribed(district, subscription, next_at, any(f.kind == "target" for f in facts))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel one district's reminder; a bare /huytheodoi lists them as buttons to press."""
    message = update.effective_message
    services = services_of(context)
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return
    argument = command_argument(message)
    subscriptions = await services.store.subscriptions(message.chat.id)
    if not argument or fold(argument) in _ALL_WORDS:
        if not subscriptions:
            await reply_plain(message, NOTHING_FOLLOWED)
        elif argument:
            await message.reply_text(confirm_cancel_all(len(subscriptions)),
                                     reply_markup=_confirm_keyboard(),
                                     do_quote=message.chat.type != Chat.PRIVATE)
        else:
            await message.reply_text(UNFOLLOW_PICK, reply_markup=_reminder_keyboard(
                services, subscriptions), do_quote=message.chat.type != Chat.PRIVATE)
        return
    district = find_district(argument, services.kb, "huytheodoi")
    if isinstance(district, str):
        await reply_plain(message, district)
        return
    removed = await services.store.remove_subscriptions(message.chat.id, district.code)
    services.reminders.cancel(removed)
    await reply_plain(message, _removed_text(services, removed) if removed
                      else not_following(district))


async def unfollow_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Act on a button under a bare /huytheodoi: cancel one, ask about all, cancel all, keep."""
    query = update.callback_query
    services = services_of(context)
    if not isinstance(query.message, Message):
        await query.answer(STALE_REMINDER_BUTTON)
        return
    if not await may_press_for_chat(query, context.bot, services.admin_ids):
        await query.answer(GROUP_ADMINS_ONLY, show_alert=True)
        return
    chat_id = query.message.chat.id
    choice = (query.data or "").removeprefix(_UNFOLLOW)
    subscriptions = await services.store.subscriptions(chat_id)
    if choice == _KEEP:
        await query.answer()
        await edit_unless_unchanged(query.edit_message_text(KEPT))
        return
    if choice == _ALL:
        await query.answer()
        await edit_unless_unchanged(query.edit_message_text(
            confirm_cancel_all(len(subscriptions)) if subscriptions else NOTHING_FOLLOWED,
            reply_markup=_confirm_keyboard() if subscriptions else None))
        return
    if choice == _ALL_CONFIRMED:
        removed = await services.store.remove_subscriptions(chat_id, None)
    else:
        chosen = next((s for s in subscriptions if s.id == choice), None)
        if chosen is None:
            await query.answer(STALE_REMINDER_BUTTON)
            return
        removed = await services.store.remove_subscriptions(chat_id, chosen.district)
    services.reminders.cancel(removed)
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(
        _removed_text(services, removed) if removed else NOTHING_FOLLOWED))


def _reminder_keyboard(services: Services,
                       subscriptions: list[Subscription]) -> InlineKeyboardMarkup:
    districts = services.kb.gazetteer.districts
    rows = [[InlineKeyboardButton(
        unfollow_button(districts[s.district].name if s.district in districts else s.district),
        callback_data=f"{_UNFOLLOW}{s.id}")] for s in subscriptions]
    if len(subscriptions) > 1:
        rows.append([InlineKeyboardButton(CANCEL_ALL_BUTTON, callback_data=_UNFOLLOW + _ALL)])
    return InlineKeyboardMarkup(rows)


def _confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(CONFIRM_CANCEL_ALL_BUTTON, callback_data=_UNFOLLOW + _ALL_CONFIRMED),
        InlineKeyboardButton(KEEP_BUTTON, callback_data=_UNFOLLOW + _KEEP),
    ]])


def _removed_text(services: Services, removed: list[Subscription]) -> str:
    districts = services.kb.gazetteer.districts
    return unsubscribed([districts[s.district] for s in removed if s.district in districts])


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
