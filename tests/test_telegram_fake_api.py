"""The fake Bot API answers like Telegram, so PTB raises its real typed errors."""

import asyncio

import pytest
from fake_bot_api import ApiError, user
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter


@pytest.fixture
async def bot(fake_bot_api):
    async with Bot(fake_bot_api.token, base_url=fake_bot_api.base_url) as bot:
        yield bot


async def test_queued_errors_reach_ptb_as_typed_errors_with_their_data(fake_bot_api, bot):
    fake_bot_api.fail_next("sendMessage", ApiError.too_many_requests(3))
    fake_bot_api.fail_next("sendMessage", ApiError.forbidden())
    fake_bot_api.fail_next("sendMessage", ApiError.chat_migrated(-100_777))
    fake_bot_api.fail_next("sendMessage", ApiError.bad_request())
    fake_bot_api.fail_next("sendMessage", ApiError.server_error(502))

    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(-5, "a")
    assert "Retry in 3 seconds" in str(retry.value)
    with pytest.raises(Forbidden):
        await bot.send_message(-5, "a")
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-5, "a")
    assert migrated.value.new_chat_id == -100_777
    with pytest.raises(BadRequest):
        await bot.send_message(-5, "a")
    with pytest.raises(NetworkError):
        await bot.send_message(-5, "a")

    sent = await bot.send_message(-5, "sau cùng")
    assert sent.text == "sau cùng"
    assert [c.error is None for c in fake_bot_api.calls_to("sendMessage")] == [False] * 5 + [True]


async def test_get_updates_honours_the_offset(fake_bot_api, bot):
    lan = user(1)
    fake_bot_api.send_text(lan, "một")
    fake_bot_api.send_text(lan, "hai")
    first = await bot.get_updates(timeout=0)
    assert [u.message.text for u in first] == ["một", "hai"]
    again = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert again == ()
    assert fake_bot_api.confirmed_offset == first[-1].update_id + 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(fake_bot_api, bot):
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    fake_bot_api.send_text(user(1), "đến rồi")
    [update] = await asyncio.wait_for(poll, 2)
    assert update.message.text == "đến rồi"


async def test_photo_is_recorded_and_edits_change_the_stored_message(fake_bot_api, bot):
    photo = await bot.send_photo(7, b"\x89PNG fake", caption="Bảng xếp hạng")
    assert photo.caption == "Bảng xếp hạng"
    message = await bot.send_message(7, "cũ")
    await bot.edit_message_text("mới", chat_id=7, message_id=message.message_id)
    assert fake_bot_api.sent_message(7, message.message_id)["text"] == "mới"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("mới", chat_id=7, message_id=message.message_id)
