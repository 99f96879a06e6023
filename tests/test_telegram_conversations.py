"""Follow-up questions over Telegram: each chat, member and answer thread is a conversation."""

import datetime as dt

from fake_bot_api import group_chat, user

LAN = user(1001, "Lan")
HUNG = user(1002, "Hùng")
GROUP = group_chat(-100_777)


async def test_a_private_follow_up_takes_the_unit_metric_and_year(fake_bot_api, start_bot):
    api = fake_bot_api
    await start_bot()
    first = await api.ask(LAN, "Hoàng Mai thu ngân sách 2022?")
    follow = await api.ask(LAN, "còn Quận 1?")
    assert "4.670,8" in first.text
    assert "16.728" in follow.text and "4.670,8" not in follow.text
    assert "Chưa có số liệu năm 2022 của Quận 1" in follow.text


async def test_a_reply_to_the_bots_answer_in_a_group_continues_that_answer(fake_bot_api,
                                                                            start_bot):
    api = fake_bot_api
    await start_bot()
    answer = await api.ask(LAN, "@thidua_test_bot Bình Thạnh thu ngân sách địa phương 2021",
                           chat=GROUP)
    assert "137" in answer.text
    reply = await api.ask(HUNG, "Hoàng Mai thì sao?", chat=GROUP, reply_to=answer.result)
    assert "Hoàng Mai" in reply.text and "thu ngân sách địa phương" in reply.text
    assert "137" not in reply.text


async def test_the_bots_own_question_is_completed_by_typing(fake_bot_api, start_bot):
    api = fake_bot_api
    await start_bot()
    clarify = await api.ask(LAN, "thu ngân sách năm 2022")
    assert "của đơn vị nào" in clarify.text
    answer = await api.ask(LAN, "Hoàng Mai")
    assert "4.670,8" in answer.text


async def test_two_members_of_a_group_keep_their_own_conversations(fake_bot_api, start_bot):
    api = fake_bot_api
    await start_bot()
    bot = "@thidua_test_bot"
    await api.ask(LAN, f"{bot} Hoàng Mai thu ngân sách 2022", chat=GROUP)
    await api.ask(HUNG, f"{bot} Quận 1 kết nạp đảng viên 2023", chat=GROUP)
    lan = await api.ask(LAN, f"{bot} còn Hai Bà Trưng?", chat=GROUP)
    hung = await api.ask(HUNG, f"{bot} còn Quận 6?", chat=GROUP)
    assert "12.817" in lan.text  # Hai Bà Trưng's budget, Lan's metric
    assert "03/08" in hung.text  # Quận 6's new members, Hùng's metric


async def test_a_conversation_survives_a_restart(fake_bot_api, start_bot):
    api = fake_bot_api
    first_bot = await start_bot()
    await api.ask(LAN, "Hoàng Mai thu ngân sách 2022?")
    await start_bot.stop(first_bot)
    await start_bot()
    follow = await api.ask(LAN, "còn Quận 1?")
    assert "16.728" in follow.text


async def test_a_conversation_quiet_too_long_starts_afresh(fake_bot_api, start_bot):
    api = fake_bot_api
    now = [dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)]
    await start_bot(clock=lambda: now[0], conversation_minutes=30)
    await api.ask(LAN, "Hoàng Mai thu ngân sách 2022?")
    now[0] += dt.timedelta(minutes=31)
    later = await api.ask(LAN, "còn Quận 1?")
    assert "Một số kết quả chính" in later.text  # Quận 1 on its own: its overview
    assert "năm 2022" not in later.text
