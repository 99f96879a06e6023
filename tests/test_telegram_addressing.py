"""Which messages are for the bot, and the question they ask."""

import datetime as dt

from telegram import Chat, Message, MessageEntity, User

from handlers.addressing import (
    command_argument,
    command_target,
    group_question,
    is_for_bot,
    without_mentions,
)

BOT_ID = 42
BOT_NAME = "thidua_bot"
BOT_USER = User(BOT_ID, "Thi Đua", is_bot=True, username=BOT_NAME)
LAN = User(7, "Lan", is_bot=False)
GROUP = Chat(-100, Chat.SUPERGROUP, title="Cán bộ")
PRIVATE = Chat(7, Chat.PRIVATE)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message(text, chat=GROUP, entities=(), reply_to=None):
    return Message(1, dt.datetime(2025, 1, 1, tzinfo=dt.UTC), chat, from_user=LAN, text=text,
                   entities=entities, reply_to_message=reply_to)


def mention_at(text, name=BOT_NAME):
    start = text.index(f"@{name}")
    return MessageEntity(MessageEntity.MENTION, utf16(text[:start]), utf16(f"@{name}"))


def command(text):
    return MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text.split()[0]))


def test_mention_after_emoji_is_cut_at_utf16_offsets():
    text = "👨‍👩‍👧 chào @thidua_bot Hoàng Mai thu ngân sách 2022"
    assert without_mentions(message(text, entities=[mention_at(text)]), BOT_NAME) == \
        "👨‍👩‍👧 chào Hoàng Mai thu ngân sách 2022"


def test_group_message_mentioning_the_bot_asks_the_rest():
    text = "@ThiDua_Bot hoang mai thu ngan sach 2022"
    entity = MessageEntity(MessageEntity.MENTION, 0, 11)
    assert group_question(message(text, entities=[entity]), BOT_NAME, BOT_ID) == \
        "hoang mai thu ngan sach 2022"


def test_group_message_mentioning_another_bot_is_not_for_us():
    text = "@other_bot Hoàng Mai 2022"
    msg = message(text, entities=[mention_at(text, "other_bot")])
    assert group_question(msg, BOT_NAME, BOT_ID) is None
    assert not is_for_bot(msg, BOT_NAME, BOT_ID)


def test_reply_to_the_bot_is_a_question_but_reply_to_a_person_is_not():
    date = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ours = Message(5, date, GROUP, from_user=BOT_USER, text="Bạn muốn hỏi gì?")
    theirs = Message(6, date, GROUP, from_user=LAN, text="Ai biết không?")
    assert group_question(message("Q1 2023", reply_to=ours), BOT_NAME, BOT_ID) == "Q1 2023"
    assert group_question(message("Q1 2023", reply_to=theirs), BOT_NAME, BOT_ID) is None


def test_every_private_message_is_for_the_bot():
    assert is_for_bot(message("xin chào", chat=PRIVATE), BOT_NAME, BOT_ID)


def test_group_commands_count_when_unnamed_or_naming_us():
    for text, ours in (("/hoi Q1", True), ("/hoi@thidua_bot Q1", True), ("/ban@other_bot", False)):
        msg = message(text, entities=[command(text)])
        assert is_for_bot(msg, BOT_NAME, BOT_ID) is ours, text


def test_command_target_and_argument():
    text = "/hoi@ThiDua_bot  Hoàng Mai   2022 "
    msg = message(text, entities=[command(text)])
    assert command_target(msg) == "thidua_bot"
    assert command_argument(msg) == "Hoàng Mai   2022"
    assert command_target(message("không phải lệnh")) is None
