"""Target reminders: /theodoi subscribes the chat, /huytheodoi cancels, /danhsach lists.

Bare commands from the menu prompt with buttons: units with current targets to follow, the
chat's reminders to cancel. Cancelling them all always asks first. A unit without targets of
this year or later is offered its new figures instead of reminders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import ContextTypes

from bot.schedule import Subscription, next_run, subscription_for
from bot.timewords import Schedule, Unclear, looks_like_a_schedule, split_schedule
from handlers.addressing import command_argument
from handlers.permissions import is_bot_admin, may_manage_chat, may_press_for_chat
from handlers.replies import edit_unless_unchanged, reply_plain
from handlers.services import Services, services_of
from handlers.texts import (
    CANCEL_ALL_BUTTON,
    CONFIRM_CANCEL_ALL_BUTTON,
    DIGEST_BUTTON,
    FOLLOW_PICK,
    GROUP_ADMINS_ONLY,
    KEEP_BUTTON,
    KEPT,
    MAX_SUBSCRIPTIONS,
    NO_PLACE_GIVEN,
    NO_THANKS,
    NO_THANKS_BUTTON,
    NOTHING_FOLLOWED,
    NOTHING_TO_FOLLOW,
    STALE_OFFER,
    STALE_REMINDER_BUTTON,
    SUBSCRIBE_USAGE,
    TOO_MANY_SUBSCRIPTIONS,
    UNFOLLOW_PICK,
    ack_lines,
    confirm_cancel_all,
    digest_subscribed,
    no_data,
    no_targets_offer,
    not_following,
    place_problem,
    subscribed,
    subscription_list,
    unclear_schedule,
    unclear_words,
    unfollow_button,
    unsubscribed,
)
from knowledge import KnowledgeBase, lookup_place, name_for
from knowledge.model import Place
from knowledge.reminders import target_reminder
from knowledge.text import fold

FOLLOW_PATTERN = r"^s:"
UNFOLLOW_PATTERN = r"^u:"
OFFER_PATTERN = r"^o:"
_FOLLOW, _UNFOLLOW, _OFFER, _NO_THANKS = "s:", "u:", "o:", "o:-"
_ALL, _ALL_CONFIRMED, _KEEP = "*", "*!", "-"
_ALL_WORDS = ("tat ca", "het", "tat ca cac quan", "tat ca cac don vi")
Reply = tuple[str, InlineKeyboardMarkup | None]


def find_place(text: str, kb: KnowledgeBase, command: str, usage: str) -> Place | str:
    """The unit a command argument names (every word of it), or the reply explaining why not."""
    lookup = lookup_place(text, kb)
    place = lookup.place
    if place is None:
        return place_problem(lookup, command, kb)
    if lookup.rest:
        return unclear_words(lookup.rest, usage)
    return place


def followable(kb: KnowledgeBase, today: dt.date) -> list[Place]:
    """Units with targets of this year or later, the ones a reminder says something about."""
    return [place for place in kb.places if target_reminder(kb, place, today).current]


def _chat_title(chat: Chat, user: User | None) -> str:
    """How the acknowledgements report names a chat: a group's title, the person's name."""
    if chat.type != Chat.PRIVATE:
        return chat.title or ""
    return user.full_name if user else ""


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the chat to a unit's target reminders, on a schedule said in words.

    A bare /theodoi offers the units with current targets as buttons.
    """
    message = update.effective_message
    services = services_of(context)
    argument = command_argument(message)
    unit, schedule = split_schedule(argument) if argument else ("", Schedule())
    if isinstance(schedule, Unclear):
        await reply_plain(message, unclear_schedule(schedule))
        return
    if argument and not unit:
        await reply_plain(message, NO_PLACE_GIVEN if looks_like_a_schedule(argument)
                          else SUBSCRIBE_USAGE)
        return
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return
    if not argument:
        await _offer_units(message, services)
        return
    place = find_place(unit, services.kb, "theodoi", SUBSCRIBE_USAGE)
    if isinstance(place, str):
        await reply_plain(message, place)
        return
    text, markup = await _subscribe_to(services, message.chat, message.from_user, place,
                                       schedule)
    await message.reply_text(text, reply_markup=markup,
                             do_quote=message.chat.type != Chat.PRIVATE)


async def _offer_units(message: Message, services: Services) -> None:
    places = followable(services.kb, services.clock().date())
    if not places:
        await reply_plain(message, NOTHING_TO_FOLLOW)
        return
    rows = [[InlineKeyboardButton(p.name, callback_data=f"{_FOLLOW}{p.key}")] for p in places]
    await message.reply_text(FOLLOW_PICK, reply_markup=InlineKeyboardMarkup(rows),
                             do_quote=message.chat.type != Chat.PRIVATE)


async def _subscribe_to(services: Services, chat: Chat, user: User | None, place: Place,
                        schedule: Schedule) -> Reply:
    """Follow ``place`` on ``schedule``; the reply says when and what changed, or why not.

    A unit without anything to remind of gets the offer of its new figures instead.
    """
    kb = services.kb
    if place.key not in kb.by_place:
        return no_data(place, kb), None
    followed = {s.place: s for s in await services.store.subscriptions(chat.id)}
    before = followed.get(place.key)
    reminder = target_reminder(kb, place, services.clock().date(),
                               before.reported_over if before else ())
    if before is None and not reminder.says_something:
        return no_targets_offer(place), _offer(place, schedule)
    if before is None and len(followed) >= MAX_SUBSCRIPTIONS:
        return TOO_MANY_SUBSCRIPTIONS, None
    subscription = await _follow(services, chat, user, place, schedule, before)
    if not reminder.says_something:
        return digest_subscribed(place, name_for(place, kb)), None
    return subscribed(place, subscription, next_run(subscription, services.clock()), reminder,
                      name_for(place, kb), before), None


async def _follow(services: Services, chat: Chat, user: User | None, place: Place,
                  schedule: Schedule, before: Subscription | None) -> Subscription:
    """Save the subscription (keeping what an earlier one to the unit reported) and schedule it.

    ``user``: who asked for it, named in the acknowledgements report of a private chat.
    """
    subscription = await services.store.save_subscription(subscription_for(
        schedule, subscription_id=before.id if before else secrets.token_hex(6),
        chat_id=chat.id, place=place.key, now=services.clock(), tz=services.timezone.key,
        reported_over=before.reported_over if before else (), title=_chat_title(chat, user)))
    services.reminders.schedule(subscription)
    return subscription


async def follow_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the chat to the unit pressed under a bare /theodoi (weekly, Monday 08:00)."""
    query = update.callback_query
    services = services_of(context)
    place = services.kb.gazetteer.place_by_key((query.data or "").removeprefix(_FOLLOW))
    if place is None or not isinstance(query.message, Message):
        await query.answer(STALE_REMINDER_BUTTON)
        return
    if not await may_press_for_chat(query, context.bot, services.admin_ids):
        await query.answer(GROUP_ADMINS_ONLY, show_alert=True)
        return
    await query.answer()
    text, markup = await _subscribe_to(services, query.message.chat, query.from_user, place,
                                       Schedule())
    await edit_unless_unchanged(query.edit_message_text(text, reply_markup=markup))


def _offer(place: Place, schedule: Schedule) -> InlineKeyboardMarkup:
    """Buttons under the offer of new figures for a unit without targets."""
    fields = ":".join(str(v) for v in dataclasses.astuple(schedule))
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(DIGEST_BUTTON, callback_data=f"{_OFFER}{place.key}:{fields}"),
        InlineKeyboardButton(NO_THANKS_BUTTON, callback_data=_NO_THANKS),
    ]])


def _offered(data: str, kb: KnowledgeBase) -> tuple[Place, Schedule] | None:
    """The unit and schedule behind an offer button, or None when it is malformed or stale."""
    key, _, fields = data.removeprefix(_OFFER).partition(":")
    place = kb.gazetteer.place_by_key(key)
    frequency, *numbers = fields.split(":")
    if len(numbers) != len(dataclasses.fields(Schedule)) - 1:
        return None
    try:
        schedule = Schedule(frequency, *map(int, numbers))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return (place, schedule) if place is not None and key in kb.by_place else None


async def take_offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe to new figures of a unit without targets (or decline), as pressed."""
    query = update.callback_query
    services = services_of(context)
    message = query.message if isinstance(query.message, Message) else None
    data = query.data or ""
    if message is None:
        await query.answer(STALE_OFFER)
        return
    if data == _NO_THANKS:
        await query.answer()
        await edit_unless_unchanged(query.edit_message_text(NO_THANKS))
        return
    offered = _offered(data, services.kb)
    if offered is None:
        await query.answer(STALE_OFFER, show_alert=True)
        return
    if not await may_press_for_chat(query, context.bot, services.admin_ids):
        await query.answer(GROUP_ADMINS_ONLY, show_alert=True)
        return
    place, schedule = offered
    followed = {s.place: s for s in await services.store.subscriptions(message.chat.id)}
    if place.key not in followed and len(followed) >= MAX_SUBSCRIPTIONS:
        await query.answer(TOO_MANY_SUBSCRIPTIONS, show_alert=True)
        return
    await _follow(services, message.chat, query.from_user, place, schedule,
                  followed.get(place.key))
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(
        digest_subscribed(place, name_for(place, services.kb))))


async def unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Cancel one unit's reminder; a bare /huytheodoi lists them as buttons to press."""
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
    place = find_place(argument, services.kb, "huytheodoi", NOTHING_FOLLOWED)
    if isinstance(place, str):
        await reply_plain(message, place)
        return
    removed = await services.store.remove_subscriptions(message.chat.id, place.key)
    services.reminders.cancel(removed)
    await reply_plain(message, _removed_text(services, removed) if removed
                      else not_following(place))


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
        removed = await services.store.remove_subscriptions(chat_id, chosen.place)
    services.reminders.cancel(removed)
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(
        _removed_text(services, removed) if removed else NOTHING_FOLLOWED))


def _reminder_keyboard(services: Services,
                       subscriptions: list[Subscription]) -> InlineKeyboardMarkup:
    places = services.kb.gazetteer
    rows = []
    for subscription in subscriptions:
        place = places.place_by_key(subscription.place)
        rows.append([InlineKeyboardButton(
            unfollow_button(place.name if place else subscription.place),
            callback_data=f"{_UNFOLLOW}{subscription.id}")])
    if len(subscriptions) > 1:
        rows.append([InlineKeyboardButton(CANCEL_ALL_BUTTON, callback_data=_UNFOLLOW + _ALL)])
    return InlineKeyboardMarkup(rows)


def _confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(CONFIRM_CANCEL_ALL_BUTTON, callback_data=_UNFOLLOW + _ALL_CONFIRMED),
        InlineKeyboardButton(KEEP_BUTTON, callback_data=_UNFOLLOW + _KEEP),
    ]])


def _removed_text(services: Services, removed: list[Subscription]) -> str:
    places = [services.kb.gazetteer.place_by_key(s.place) for s in removed]
    return unsubscribed([p for p in places if p is not None])


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the chat's reminders with their next run, and in a group its registration.

    Bot admins also see who acknowledged the chat's latest reminders.
    """
    message = update.effective_message
    services = services_of(context)
    now = services.clock()
    kb = services.kb
    rows = []
    for subscription in await services.store.subscriptions(message.chat.id):
        place = kb.gazetteer.place_by_key(subscription.place)
        reminds = place is not None and target_reminder(
            kb, place, now.date(), subscription.reported_over).says_something
        rows.append((place, subscription, next_run(subscription, now), reminds))
    group_places, registered = None, False
    if message.chat.type != Chat.PRIVATE:
        group = await services.store.group(message.chat.id)
        registered = group is not None
        found = [kb.gazetteer.place_by_key(key) for key in group.places] if group else []
        group_places = [p for p in found if p is not None]
    acks = None
    if is_bot_admin(message.from_user, services.admin_ids):
        store = services.store
        places = {p.key: p for p in kb.places}
        acks = ack_lines(await store.reminders_sent(message.chat.id),
                         await store.acks(message.chat.id), places, services.timezone)
    await reply_plain(message, subscription_list(rows, group_places, registered, acks))
