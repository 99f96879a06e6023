"""Target reminders: /theodoi subscribes the chat, /huytheodoi cancels, /danhsach lists."""

from __future__ import annotations

import dataclasses
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
    DIGEST_BUTTON,
    GROUP_ADMINS_ONLY,
    MAX_SUBSCRIPTIONS,
    NO_PLACE_GIVEN,
    NO_THANKS,
    NO_THANKS_BUTTON,
    NOTHING_FOLLOWED,
    STALE_OFFER,
    SUBSCRIBE_USAGE,
    TOO_MANY_SUBSCRIPTIONS,
    ack_lines,
    digest_subscribed,
    no_data,
    no_targets_offer,
    not_following,
    place_problem,
    subscribed,
    subscription_list,
    unclear_schedule,
    unclear_words,
    unsubscribed,
)
from knowledge import KnowledgeBase, lookup_place, name_for
from knowledge.model import Place
from knowledge.reminders import target_reminder

OFFER_PATTERN = r"^o:"
_OFFER, _NO_THANKS = "o:", "o:-"


def find_place(text: str, kb: KnowledgeBase, command: str, usage: str) -> Place | str:
    """The unit a command argument names (every word of it), or the reply explaining why not."""
    lookup = lookup_place(text, kb)
    place = lookup.place
    if place is None:
        return place_problem(lookup, command, kb)
    if lookup.rest:
        return unclear_words(lookup.rest, usage)
    return place


def _chat_title(chat: Chat, user: User | None) -> str:
    """How the acknowledgements report names a chat: a group's title, the person's name."""
    if chat.type != Chat.PRIVATE:
        return chat.title or ""
    return user.full_name if user else ""


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Subscribe the chat to reminders of a unit's targets, on a schedule said in words."""
    message = update.effective_message
    services = services_of(context)
    argument = command_argument(message)
    if not argument:
        await reply_plain(message, SUBSCRIBE_USAGE)
        return
    unit, schedule = split_schedule(argument)
    if isinstance(schedule, Unclear):
        await reply_plain(message, unclear_schedule(schedule))
        return
    if not unit:
        await reply_plain(message, NO_PLACE_GIVEN if looks_like_a_schedule(argument)
                          else SUBSCRIBE_USAGE)
        return
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return
    kb = services.kb
    place = find_place(unit, kb, "theodoi", SUBSCRIBE_USAGE)
    if isinstance(place, str):
        await reply_plain(message, place)
        return
    if place.key not in kb.by_place:
        await reply_plain(message, no_data(place, kb))
        return
    followed = {s.place: s for s in await services.store.subscriptions(message.chat.id)}
    before = followed.get(place.key)
    reminder = target_reminder(kb, place, services.clock().date(),
                               before.reported_over if before else ())
    if before is None and not reminder.says_something:
        await message.reply_text(no_targets_offer(place), reply_markup=_offer(place, schedule),
                                 do_quote=message.chat.type != Chat.PRIVATE)
        return
    if before is None and len(followed) >= MAX_SUBSCRIPTIONS:
        await reply_plain(message, TOO_MANY_SUBSCRIPTIONS)
        return
    subscription = await _follow(services, message.chat, message.from_user, place, schedule,
                                 before)
    if not reminder.says_something:
        await reply_plain(message, digest_subscribed(place, name_for(place, kb)))
        return
    await reply_plain(message, subscribed(place, subscription,
                                          next_run(subscription, services.clock()), reminder,
                                          name_for(place, kb), before))


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
    """Cancel the chat's reminders: of one unit (``/huytheodoi <đơn vị>``) or all."""
    message = update.effective_message
    services = services_of(context)
    if not await may_manage_chat(message, context.bot, services.admin_ids):
        await reply_plain(message, GROUP_ADMINS_ONLY)
        return
    argument = command_argument(message)
    place = None
    if argument:
        place = find_place(argument, services.kb, "huytheodoi", NOTHING_FOLLOWED)
        if isinstance(place, str):
            await reply_plain(message, place)
            return
    removed = await services.store.remove_subscriptions(message.chat.id,
                                                        place.key if place else None)
    services.reminders.cancel(removed)
    if removed:
        places = [services.kb.gazetteer.place_by_key(s.place) for s in removed]
        await reply_plain(message, unsubscribed([p for p in places if p is not None]))
    else:
        await reply_plain(message, not_following(place) if place else NOTHING_FOLLOWED)


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
