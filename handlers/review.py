"""Reviewing a report draft in the admin's private chat: the panel, its buttons and its prompts.

The panel is one message the admin works in: a summary, pages of eight figures, the new
metrics and what the draft changes in an earlier report. Buttons edit it in place; a field
to type (unit, date, title, publisher, a year, a label) is asked with a reply prompt, and the
answer brings a fresh panel. "Thêm vào cơ sở dữ liệu" adds the draft as ``thidua kb add``
does, reloads, announces the new figures and writes the audit log.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import re
from dataclasses import dataclass

from telegram import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import InlineKeyboardButtonLimit, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.curation import DraftCheck, check_review, check_yaml
from bot.records import ReportDraft
from handlers.auditing import audit
from handlers.permissions import is_bot_admin
from handlers.questions import answer_private_text
from handlers.render import split_lines
from handlers.replies import edit_unless_unchanged, reply_plain
from handlers.services import Services, services_of
from handlers.texts import (
    ADD_BUTTON,
    ADMIN_ONLY,
    BACK_BUTTON,
    CANCEL_DRAFT_BUTTON,
    CHANGES_BUTTON,
    DATA_FILES_BEHIND,
    DRAFT_ADDING,
    DRAFT_CANCELLED,
    DRAFT_GONE,
    EDIT_DATE_BUTTON,
    EDIT_PUBLISHER_BUTTON,
    EDIT_TITLE_BUTTON,
    EDIT_UNIT_BUTTON,
    KEEP_EARLIER_BUTTON,
    MAX_LABEL_CHARS,
    MAX_SOURCE_CHARS,
    NEXT_BUTTON,
    NO_METRIC_YET,
    NO_YEAR_YET,
    NOT_DRAFT_OWNER,
    OTHER_YEAR_BUTTON,
    PREVIOUS_BUTTON,
    PROMPTS,
    REPLACE_EARLIER_BUTTON,
    REVIEW_BUTTON_STALE,
    SUMMARY_BUTTON,
    YAML_BUTTON,
    accept_label_button,
    data_not_written,
    draft_added,
    draft_added_before,
    draft_cancelled,
    draft_changes_html,
    draft_not_added,
    draft_summary_html,
    figures_button,
    keep_button,
    kind_button,
    label_prompt,
    new_metrics_button,
    new_metrics_html,
    page_button,
    prompt_again,
    retype_label_button,
    review_page_html,
    unit_option_button,
    yaml_caption,
    yaml_summary_html,
    year_button,
    year_choice_html,
    year_prompt,
)
from handlers.updates import apply_reload
from knowledge import KnowledgeBaseError
from knowledge.ingest import KINDS, PAGE_SIZE, DraftRejected, Review, units_named

logger = logging.getLogger(__name__)
REVIEW_PATTERN = r"^r:"
DRAFT_KEPT = dt.timedelta(days=7)
_PREFIX = "r"
# Each operation of a press and how many numbers it carries (an item, a page, a year …).
_OPERATIONS = {
    "s": 0, "p": 1, "m": 0, "c": 0,  # views: summary, page, new metrics, changes
    "k": 1, "t": 1, "Y": 1, "y": 2, "E": 1,  # a figure: keep, kind, years, set year, type year
    "u": 1, "U": 0, "D": 0, "T": 0, "P": 0,  # unit option, type unit, date, title, publisher
    "a": 1, "l": 1, "o": 0,  # accept or retype a new metric's label, keep the earlier report
    "f": 0, "A": 0, "X": 0,  # the YAML file, add, cancel
}
_PROMPT_OPERATIONS = {"U": "unit", "D": "date", "T": "title", "P": "publisher"}
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_YEAR = re.compile(r"^\s*((?:19|20)\d{2}|2100)\s*$")
_YEARS_OFFERED = range(-1, 5)


@dataclass(frozen=True, slots=True)
class Press:
    """A press of a review button: the draft, the operation and its numbers."""

    draft_id: str
    operation: str
    numbers: tuple[int, ...] = ()


def press_data(draft_id: str, operation: str, *numbers: int) -> str:
    """Callback data of a review button: ``r:<draft>:<operation>[:<number>…]``."""
    data = ":".join([_PREFIX, draft_id, operation, *map(str, numbers)])
    assert len(data.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA, data
    return data


def parse_press(data: str | None) -> Press | None:
    """The press behind callback data, or None when it is malformed."""
    parts = (data or "").split(":")
    if len(parts) < 3 or parts[0] != _PREFIX or not re.fullmatch(r"[0-9a-f]{6,16}", parts[1]):
        return None
    operation, numbers = parts[2], parts[3:]
    if _OPERATIONS.get(operation) != len(numbers) or not all(
            n.isdigit() and len(n) <= 4 for n in numbers):
        return None
    return Press(parts[1], operation, tuple(int(n) for n in numbers))


def expired(draft: ReportDraft, now: dt.datetime) -> bool:
    """Whether a draft is past its week."""
    return now - draft.created_at > DRAFT_KEPT


def refusal(draft: ReportDraft | None, user_id: int, now: dt.datetime,
            tz: dt.tzinfo) -> str | None:
    """Why a press on ``draft`` by ``user_id`` cannot be served, or None when it can."""
    if draft is None or expired(draft, now):
        return DRAFT_GONE
    if draft.admin_id != user_id:
        return NOT_DRAFT_OWNER
    if draft.state == "added":
        return draft_added_before(draft.decided_at, tz)
    if draft.state == "adding":
        return DRAFT_ADDING
    if draft.state == "cancelled":
        return DRAFT_CANCELLED
    return None


# The panel ----------------------------------------------------------------------------------


async def _check(services: Services, draft: ReportDraft, review: Review | None) -> DraftCheck:
    """The draft as it would be added now (off the loop: it reads the data files)."""
    if review is None:
        return await asyncio.to_thread(check_yaml, draft.review["yaml"], draft.file_name,
                                       services.kb, services.curator)
    return await asyncio.to_thread(check_review, review, services.kb, services.curator)


def _review_of(draft: ReportDraft) -> Review | None:
    """The review of a report's draft; None for a draft sent as YAML (ValueError if damaged)."""
    return None if "yaml" in draft.review else Review.from_dict(draft.review)


def _button(text: str, draft: ReportDraft, operation: str, *numbers: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=press_data(draft.id, operation, *numbers))


async def render_panel(services: Services,
                       draft: ReportDraft) -> tuple[str, InlineKeyboardMarkup]:
    """The panel's text and buttons for the draft's current view."""
    review = _review_of(draft)
    kb, view = services.kb, draft.view
    back = [_button(SUMMARY_BUTTON, draft, "s")]
    if review is not None and view.startswith("page:"):
        number = min(max(int(view[5:]), 1), review.pages)
        return review_page_html(review, number, kb), _page_keyboard(draft, review, number)
    if review is not None and view.startswith("years:"):
        item = review.items()[int(view[6:]) - 1]
        return year_choice_html(item, kb), _years_keyboard(draft, review, item.number)
    if review is not None and view == "metrics":
        return new_metrics_html(review), _metrics_keyboard(draft, review)
    check = await _check(services, draft, review)
    if view == "changes":
        return draft_changes_html(check, kb), InlineKeyboardMarkup([back])
    expires = draft.created_at + DRAFT_KEPT
    if review is None:
        return (yaml_summary_html(draft.file_name, check, expires, services.timezone),
                _yaml_keyboard(draft, check))
    return (draft_summary_html(draft.file_name, review, check, kb, expires, services.timezone),
            _summary_keyboard(draft, review, check, services))


def _summary_keyboard(draft: ReportDraft, review: Review, check: DraftCheck,
                      services: Services) -> InlineKeyboardMarkup:
    rows = [[_button(unit_option_button(place), draft, "u", n)]
            for n, place in enumerate(review.options(services.kb.gazetteer), 1)]
    rows += [[_button(EDIT_UNIT_BUTTON, draft, "U"), _button(EDIT_DATE_BUTTON, draft, "D")],
             [_button(EDIT_TITLE_BUTTON, draft, "T"), _button(EDIT_PUBLISHER_BUTTON, draft, "P")]]
    browse = [_button(figures_button(len(review.candidates)), draft, "p", 1)]
    if review.new_metrics():
        browse.append(_button(new_metrics_button(len(review.new_metrics())), draft, "m"))
    rows.append(browse)
    if check.earlier is not None:
        toggle = KEEP_EARLIER_BUTTON if review.replace_earlier else REPLACE_EARLIER_BUTTON
        rows.append([_button(CHANGES_BUTTON, draft, "c"), _button(toggle, draft, "o")])
    rows += [[_button(YAML_BUTTON, draft, "f"), _button(CANCEL_DRAFT_BUTTON, draft, "X")],
             [_button(ADD_BUTTON, draft, "A")]]
    return InlineKeyboardMarkup(rows)


def _yaml_keyboard(draft: ReportDraft, check: DraftCheck) -> InlineKeyboardMarkup:
    rows = [[_button(CHANGES_BUTTON, draft, "c")]] if check.earlier is not None else []
    rows += [[_button(CANCEL_DRAFT_BUTTON, draft, "X")], [_button(ADD_BUTTON, draft, "A")]]
    return InlineKeyboardMarkup(rows)


def _page_keyboard(draft: ReportDraft, review: Review, number: int) -> InlineKeyboardMarkup:
    rows = [[_button(keep_button(item.number, item.kept), draft, "k", item.number),
             _button(kind_button(item.candidate.kind), draft, "t", item.number),
             _button(year_button(item.candidate.year), draft, "Y", item.number)]
            for item in review.page(number)]
    navigation = [_button(PREVIOUS_BUTTON, draft, "p", number - 1)] if number > 1 else []
    if review.pages > 1:
        navigation.append(_button(page_button(number, review.pages), draft, "p", number))
    if number < review.pages:
        navigation.append(_button(NEXT_BUTTON, draft, "p", number + 1))
    rows += [navigation, [_button(SUMMARY_BUTTON, draft, "s")]]
    return InlineKeyboardMarkup([row for row in rows if row])


def _years_keyboard(draft: ReportDraft, review: Review, number: int) -> InlineKeyboardMarkup:
    item = review.items()[number - 1]
    base = review.year or item.candidate.year or dt.date.today().year
    years = [base + offset for offset in _YEARS_OFFERED]
    buttons = [_button(f"{'• ' if y == item.candidate.year else ''}{y}", draft, "y", number, y)
               for y in years]
    return InlineKeyboardMarkup([buttons[:3], buttons[3:],
                                 [_button(OTHER_YEAR_BUTTON, draft, "E", number),
                                  _button(BACK_BUTTON, draft, "p", _page_of(number))]])


def _page_of(number: int) -> int:
    """The page figure ``number`` is on."""
    return (number - 1) // PAGE_SIZE + 1


def _metrics_keyboard(draft: ReportDraft, review: Review) -> InlineKeyboardMarkup:
    rows = [[_button(accept_label_button(n, metric.id in review.accepted), draft, "a", n),
             _button(retype_label_button(n), draft, "l", n)]
            for n, metric in enumerate(review.new_metrics(), 1)]
    return InlineKeyboardMarkup([*rows, [_button(SUMMARY_BUTTON, draft, "s")]])


async def send_panel(message: Message, services: Services, draft: ReportDraft) -> ReportDraft:
    """Send the draft's panel as a new message under ``message``; the older one loses its buttons.

    Returns the draft as stored, pointing at the new panel.
    """
    if draft.message_id is not None:
        with contextlib.suppress(TelegramError):
            await message.get_bot().edit_message_reply_markup(draft.chat_id, draft.message_id)
    text, keyboard = await render_panel(services, draft)
    sent = await message.reply_html(text, reply_markup=keyboard, do_quote=False)
    draft = dataclasses.replace(draft, message_id=sent.message_id)
    await services.store.save_report_draft(draft)
    return draft


async def send_yaml(message: Message, services: Services, draft: ReportDraft) -> None:
    """Send the draft as a YAML file the admin can edit and send back."""
    check = await _check(services, draft, _review_of(draft))
    await message.get_bot().send_document(
        draft.chat_id, check.yaml.encode(), filename=check.name, caption=yaml_caption(check.name))


# Presses ------------------------------------------------------------------------------------


async def press_review_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Serve a press on a review panel: change a view, correct the draft, add or cancel it."""
    query = update.callback_query
    services = services_of(context)
    press = parse_press(query.data)
    if not is_bot_admin(query.from_user, services.admin_ids):
        await audit(services, "refused", query.from_user, subject=query.data or "")
        await query.answer(ADMIN_ONLY, show_alert=True)
        return
    if press is None or not isinstance(query.message, Message):
        await query.answer(REVIEW_BUTTON_STALE, show_alert=True)
        return
    draft = await services.store.report_draft(press.draft_id)
    reason = refusal(draft, query.from_user.id, services.clock(), services.timezone)
    if reason is None and draft is not None:
        try:
            review = _review_of(draft)
        except ValueError as error:
            logger.error("Report draft %s cannot be read back: %s", draft.id, error)
            reason = DRAFT_GONE
    if reason is not None or draft is None:
        await query.answer(reason, show_alert=True)
        return
    draft = dataclasses.replace(draft, message_id=query.message.message_id)
    await _serve(query, services, draft, review, press)


async def _serve(query: CallbackQuery, services: Services, draft: ReportDraft,
                 review: Review | None, press: Press) -> None:
    operation, numbers = press.operation, press.numbers
    if operation == "A":
        await _add(query, services, draft)
        return
    if operation == "X":
        await _cancel(query, services, draft)
        return
    if operation == "f":
        await query.answer()
        await send_yaml(query.message, services, draft)
        return
    if operation in ("s", "c"):
        await _show(query, services, draft, "summary" if operation == "s" else "changes")
        return
    if review is None:  # a YAML draft has only its summary and changes
        await query.answer(REVIEW_BUTTON_STALE, show_alert=True)
        return
    corrected = await _corrected(review, press, services)
    if isinstance(corrected, str):
        await query.answer(corrected, show_alert=True)
        return
    if operation in _PROMPT_OPERATIONS or operation in ("E", "l"):
        await _prompt(query, services, draft, review, press)
        return
    view = (f"page:{numbers[0]}" if operation == "p" else f"years:{numbers[0]}" if operation == "Y"
            else f"page:{_page_of(numbers[0])}" if operation in ("k", "t", "y")
            else "metrics" if operation in ("m", "a") else "summary")
    if corrected is review:
        await _show(query, services, draft, view)
        return
    draft = dataclasses.replace(draft, review=corrected.to_dict(), view=view)
    if not await services.store.save_report_draft(draft, if_state="open"):
        await query.answer(DRAFT_ADDING, show_alert=True)
        return
    await _show(query, services, draft, view)


async def _corrected(review: Review, press: Press, services: Services) -> Review | str:
    """The review after a press (the same object when the press changes nothing), or why not."""
    operation, numbers = press.operation, press.numbers
    count = len(review.candidates)
    if operation in ("k", "t", "Y", "y", "E") and not 1 <= numbers[0] <= count:
        return REVIEW_BUTTON_STALE
    if operation == "p" and not 1 <= numbers[0] <= review.pages:
        return REVIEW_BUTTON_STALE
    if operation in ("k", "t"):
        item = review.items()[numbers[0] - 1]
        if item.problem and operation == "k":
            return NO_YEAR_YET if item.problem == "year" else NO_METRIC_YET
        if operation == "k":
            return review.with_kept(item.number, not item.kept)
        kind = item.candidate.kind
        return review.with_kind(item.number, KINDS[(KINDS.index(kind) + 1) % len(KINDS)]
                                if kind in KINDS else KINDS[0])
    if operation == "y":
        if not 1945 <= numbers[1] <= 2100:
            return REVIEW_BUTTON_STALE
        return review.with_year(numbers[0], numbers[1])
    if operation == "u":
        options = review.options(services.kb.gazetteer)
        if not 1 <= numbers[0] <= len(options):
            return REVIEW_BUTTON_STALE
        # Reading a long report again takes seconds: answers go on meanwhile.
        return await asyncio.to_thread(review.reread, services.kb, unit=options[numbers[0] - 1])
    if operation in ("a", "l"):
        metrics = review.new_metrics()
        if not 1 <= numbers[0] <= len(metrics):
            return REVIEW_BUTTON_STALE
        return review.with_accepted(metrics[numbers[0] - 1].id) if operation == "a" else review
    if operation == "o":
        return dataclasses.replace(review, replace_earlier=not review.replace_earlier)
    return review


async def _show(query: CallbackQuery, services: Services, draft: ReportDraft,
                view: str) -> None:
    """Show a view of the draft in the pressed message.

    Moving between views stores nothing: a prompt keeps the view its answer returns to.
    """
    text, keyboard = await render_panel(services, dataclasses.replace(draft, view=view))
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                                        reply_markup=keyboard))


async def _prompt(query: CallbackQuery, services: Services, draft: ReportDraft, review: Review,
                  press: Press) -> None:
    """Ask the admin to type a field; their reply to the prompt sets it."""
    operation, numbers = press.operation, press.numbers
    if operation == "E":
        prompt, placeholder = f"year:{numbers[0]}", "Ví dụ: 2026"
        text = year_prompt(numbers[0], review.items()[numbers[0] - 1].candidate.year)
        view = f"page:{_page_of(numbers[0])}"
    elif operation == "l":
        metric = review.new_metrics()[numbers[0] - 1]
        prompt, placeholder, text = f"label:{metric.id}", metric.label[:64], label_prompt(
            metric.label)
        view = "metrics"
    else:
        prompt = _PROMPT_OPERATIONS[operation]
        text, placeholder = PROMPTS[prompt]
        view = "summary"
    await query.answer()
    sent = await query.message.reply_text(
        text, do_quote=False,
        reply_markup=ForceReply(selective=True, input_field_placeholder=placeholder))
    await services.store.save_report_draft(dataclasses.replace(
        draft, prompt=prompt, prompt_message_id=sent.message_id, view=view))


async def answer_review_prompt(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Set what a bot admin typed in reply to a review prompt; any other reply is a question."""
    message = update.effective_message
    services = services_of(context)
    replied = message.reply_to_message
    draft = None
    if replied is not None and is_bot_admin(message.from_user, services.admin_ids):
        draft = next((d for d in await services.store.report_drafts(message.from_user.id)
                      if d.prompt_message_id == replied.message_id and d.state == "open"
                      and d.prompt and not expired(d, services.clock())), None)
    if draft is None or draft.prompt is None:
        await answer_private_text(update, context)
        return
    try:
        review = _review_of(draft)
    except ValueError:
        review = None
    if review is None:
        await reply_plain(message, DRAFT_GONE)
        return
    typed = " ".join((message.text or "").split())
    corrected = await _typed(review, draft.prompt, typed, services)
    if isinstance(corrected, str):
        sent = await message.reply_text(
            corrected, reply_markup=ForceReply(selective=True), do_quote=False)
        await services.store.save_report_draft(dataclasses.replace(
            draft, prompt_message_id=sent.message_id))
        return
    await send_panel(message, services, dataclasses.replace(
        draft, review=corrected.to_dict(), prompt=None, prompt_message_id=None))


async def _typed(review: Review, prompt: str, typed: str, services: Services) -> Review | str:
    """The review with the typed answer to ``prompt`` set, or the prompt again with the reason."""
    kb = services.kb
    what, _, key = prompt.partition(":")
    if what == "year":
        again = year_prompt(int(key), None)
    elif what == "label":
        labels = {m.id: m.label for m in review.new_metrics()}
        again = label_prompt(labels.get(key, key))
    else:
        again = PROMPTS[what][0]
    if not typed:
        return prompt_again("empty", typed, again)
    limit = MAX_LABEL_CHARS if what == "label" else MAX_SOURCE_CHARS
    if len(typed) > limit:
        return prompt_again("long", typed, again)
    if what == "unit":
        found = units_named(typed, kb.gazetteer)
        if not found:
            return prompt_again("unit_unknown", typed, again)
        if len(found) > 1:
            return dataclasses.replace(review, unit=None, unit_name=typed,
                                       unit_options=tuple(p.key for p in found[:8]))
        return await asyncio.to_thread(review.reread, kb, unit=found[0])
    if what == "date":
        day = _date(typed)
        if day is None:
            return prompt_again("date", typed, again)
        return await asyncio.to_thread(review.reread, kb, date=day)
    if what == "year":
        year = _YEAR.match(typed)
        if not year or not 1945 <= int(year.group(1)) <= 2100:
            return prompt_again("year", typed, again)
        number = int(key)
        return review.with_year(number, int(year.group(1))) if 1 <= number <= len(
            review.candidates) else prompt_again("year", typed, again)
    if what == "label":  # labels are written lower case: "Tỷ lệ BHYT" becomes "tỷ lệ BHYT"
        return review.with_label(key, typed[0].lower() + typed[1:] if typed[1:2].islower()
                                 else typed)
    return review.with_source(**{what: typed})


def _date(typed: str) -> dt.date | None:
    """``23/12/2025``, ``23-12-2025``, ``23.12.2025`` or ``2025-12-23``; None otherwise."""
    found = _DATE.match(typed)
    iso = _ISO_DATE.match(typed)
    try:
        if found:
            return dt.date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        return None
    return None


# Adding and cancelling ----------------------------------------------------------------------


async def _add(query: CallbackQuery, services: Services, draft: ReportDraft) -> None:
    """Add the draft once: one press claims it; any problem leaves it open and nothing added."""
    user = query.from_user
    check = await _check(services, draft, _review_of(draft))
    if check.addition is None:
        await query.answer()
        await reply_long(query.message, draft_not_added(check.problems))
        return
    if services.kb_versions is not None and not await asyncio.to_thread(
            services.library.files_in_use):
        await query.answer()
        await query.message.reply_text(DATA_FILES_BEHIND, do_quote=False)
        return
    now = services.clock()
    claimed = dataclasses.replace(draft, state="adding", decided_by=user.id, decided_at=now,
                                  prompt=None, prompt_message_id=None)
    if not await services.store.save_report_draft(claimed, if_state="open"):
        await query.answer(DRAFT_ADDING, show_alert=True)
        return
    await query.answer()
    try:
        addition = await asyncio.to_thread(services.curator.add, check.yaml, check.name,
                                           check.replaces)
    except (DraftRejected, KnowledgeBaseError, OSError) as error:
        await services.store.save_report_draft(dataclasses.replace(
            draft, state="open", decided_by=None, decided_at=None))
        if isinstance(error, OSError):
            logger.error("Report draft %s not added: %s", draft.id, error)
            text = data_not_written(error.strerror or str(error))
        else:
            text = draft_not_added(error.problems)
        await reply_long(query.message, text)
        return
    await services.store.save_report_draft(dataclasses.replace(claimed, state="added"))
    place = addition.place.name
    await audit(services, "report_added", user, chat_id=draft.chat_id, subject=addition.source.id,
                detail=f"{draft.file_name}: {addition.facts} số liệu của {place}"
                       + (f", thay {addition.replaces}" if addition.replaces else ""))
    report = await apply_reload(services, user, subject=f"báo cáo {addition.source.id}")
    first, *rest = split_lines(draft_added(addition, report).splitlines())
    await edit_unless_unchanged(query.edit_message_text(first))
    for part in rest:
        await query.message.reply_text(part, do_quote=False)


async def reply_long(message: Message, text: str) -> None:
    """Reply with plain text of any length, in as many messages as it takes."""
    for part in split_lines(text.splitlines()):
        await message.reply_text(part, do_quote=False)


async def _cancel(query: CallbackQuery, services: Services, draft: ReportDraft) -> None:
    """Drop the draft; nothing of it is added."""
    cancelled = dataclasses.replace(draft, state="cancelled", decided_by=query.from_user.id,
                                    decided_at=services.clock(), prompt=None)
    if not await services.store.save_report_draft(cancelled, if_state="open"):
        await query.answer(DRAFT_ADDING, show_alert=True)
        return
    await audit(services, "report_cancelled", query.from_user, chat_id=draft.chat_id,
                subject=draft.id, detail=draft.file_name)
    await query.answer()
    await edit_unless_unchanged(query.edit_message_text(draft_cancelled(draft.file_name)))


async def reopen_interrupted_drafts(services: Services) -> None:
    """At start: drafts whose addition a stop interrupted are open again.

    Adding again is safe: a draft whose report went in meanwhile now replaces it unchanged.
    """
    for draft in await services.store.report_drafts():
        if draft.state == "adding":
            await services.store.save_report_draft(dataclasses.replace(
                draft, state="open", decided_by=None, decided_at=None))
