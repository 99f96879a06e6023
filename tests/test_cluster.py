"""Several instances on one PostgreSQL database, behind a load balancer, as Telegram sees them.

The instances here run in this process (separate pools, instance ids and listeners, as
separate processes have); test_cluster_kill.py SIGKILLs real ``thidua run`` processes.
"""

import asyncio
import datetime as dt
import shutil
import time
from zoneinfo import ZoneInfo

import pytest
from cluster import Balancer, Instance, eventually, free_port, instance_settings, post_update
from fake_bot_api import group_chat, user

from bot.pgstore import PostgresStore
from bot.schedule import Group, Subscription
from knowledge import load_knowledge_base
from knowledge.base import DATA_DIR

pytestmark = pytest.mark.postgres
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = user(1, "Admin")
LAN = user(1001, "Lan")


@pytest.fixture
async def instances(fake_bot_api, bot_settings, database_url, knowledge_base):
    """Start ``n`` instances on one database (``start(n, **build)``); stopped at the end."""
    running: list[Instance] = []
    settings = bot_settings.__class__(**{**{f: getattr(bot_settings, f) for f in
                                            bot_settings.__dataclass_fields__},
                                         "admin_ids": frozenset({ADMIN["id"]})})

    async def start(n: int, kb=None, **build) -> list[Instance]:
        started = []
        for _ in range(n):
            instance = Instance(instance_settings(settings, database_url, free_port()))
            started.append(await instance.start(fake_bot_api, kb or knowledge_base, **build))
        running.extend(started)
        return started

    yield start
    for instance in running:
        await instance.stop()


async def test_an_update_sent_to_both_instances_is_handled_once(fake_bot_api, instances):
    a, b = await instances(2)
    update = fake_bot_api.text_update(LAN, "Hoàng Mai thu ngân sách 2022")
    statuses = await asyncio.gather(post_update(a.url, update), post_update(b.url, update),
                                    post_update(a.url, update))
    assert statuses == [200, 200, 200]
    await fake_bot_api.wait_until(lambda: fake_bot_api.texts_to(LAN["id"]))
    await asyncio.sleep(0.5)
    replies = fake_bot_api.texts_to(LAN["id"])
    print(f"\none update posted 3 times to two instances: {len(replies)} reply")
    assert len(replies) == 1 and "4.670,8" in replies[0]


async def test_a_chats_updates_are_handled_in_order_across_instances(fake_bot_api, instances):
    a, b = await instances(2)
    years = list(range(2031, 2041))
    updates = [fake_bot_api.text_update(LAN, f"Quận 10 thu ngân sách {year}") for year in years]
    async with Balancer([a.settings.webhook_port, b.settings.webhook_port]) as balancer:
        for update in updates:  # as fast as Telegram may send them, alternating instances
            assert await post_update(balancer.url, update) == 200
        await fake_bot_api.wait_until(lambda: len(fake_bot_api.texts_to(LAN["id"])) >= 10, 15)
        served = dict(balancer.served)
    order = [next(year for year in years if f"năm {year}" in reply)
             for reply in fake_bot_api.texts_to(LAN["id"])]
    print(f"\nten questions of one chat over {served}: answered in order {order == years}")
    assert order == years


async def test_a_conversation_started_on_one_instance_continues_on_the_other(fake_bot_api,
                                                                            instances):
    a, b = await instances(2)
    await post_update(a.url, fake_bot_api.text_update(LAN, "Hoàng Mai thu ngân sách 2022?"))
    await fake_bot_api.wait_until(lambda: fake_bot_api.texts_to(LAN["id"]))
    await post_update(b.url, fake_bot_api.text_update(LAN, "còn Quận 1?"))
    await fake_bot_api.wait_until(lambda: len(fake_bot_api.texts_to(LAN["id"])) == 2)
    first, follow = fake_bot_api.texts_to(LAN["id"])
    print(f"\nasked A, followed up on B: {follow[:80]}…")
    assert "4.670,8" in first
    assert "16.728" in follow and "4.670,8" not in follow


async def test_a_reload_on_one_instance_reaches_the_other(fake_bot_api, instances, tmp_path):
    edited = tmp_path / "kb"
    shutil.copytree(DATA_DIR, edited)
    facts = next(p for p in (edited / "facts").glob("*.yaml") if "4.670,8" in p.read_text())
    a, b = await instances(2, kb=load_knowledge_base(edited), kb_dir=edited)
    store = a.application.bot_data["services"].store
    await store.save_group(Group(-5001, ("d008",), "Tổ Hoàng Mai"))
    question = "Hoàng Mai thu ngân sách 2022"
    await post_update(b.url, fake_bot_api.text_update(LAN, question))  # given on B
    await fake_bot_api.wait_until(lambda: fake_bot_api.texts_to(LAN["id"]), 10)
    facts.write_text(facts.read_text().replace("4.670,8", "4.700,1"))

    await post_update(a.url, fake_bot_api.text_update(ADMIN, "/capnhat"))
    await fake_bot_api.wait_until(lambda: fake_bot_api.texts_to(ADMIN["id"]), 15)
    library_b = b.application.bot_data["services"].library
    library_a = a.application.bot_data["services"].library
    await eventually(lambda: library_b.version == library_a.version)
    await post_update(b.url, fake_bot_api.text_update(LAN, question))
    await fake_bot_api.wait_until(lambda: len(fake_bot_api.texts_to(LAN["id"])) == 3, 10)
    await fake_bot_api.wait_until(lambda: fake_bot_api.texts_to(-5001), 10)
    await asyncio.sleep(0.5)
    print(f"\nreload on A: B answers from version {library_b.version[:12]} "
          f"(A {library_a.version[:12]}); group told {len(fake_bot_api.texts_to(-5001))} time")
    before, *later = fake_bot_api.texts_to(LAN["id"])
    [news] = [text for text in later if "Số liệu cập nhật" in text]
    assert "4.670,8" in before and "4.670,8 tỷ đồng, đạt 105,29% kế hoạch → 4.700,1" in news
    assert any("4.700,1" in text and text != news for text in later)
    assert len(fake_bot_api.texts_to(-5001)) == 1


async def test_a_daily_reminder_with_three_instances_is_sent_once(fake_bot_api, instances,
                                                                  database_url):
    """Each reminder goes out once with three instances.

    One was due before the instances started, one falls due while they run, one is added on an
    instance that stops before it is due. Each follows Bình Thạnh, whose 2022 targets are over:
    the first reminder says so, once.
    """
    base = dt.datetime.now(VN).replace(hour=7, minute=59, second=53, microsecond=0)
    started = time.monotonic()

    def clock() -> dt.datetime:
        return base + dt.timedelta(seconds=time.monotonic() - started)

    store = PostgresStore(database_url)
    await store.connect()
    made = base - dt.timedelta(days=2)
    await store.save_subscription(Subscription("a1", 301, "d765", made, "daily", 7, 30))
    await store.save_subscription(Subscription("b2", 302, "d765", made, "daily", 8, 0))
    await store.close()
    one, *rest = await instances(3, clock=clock)
    services = one.application.bot_data["services"]
    added = await services.store.save_subscription(
        Subscription("c3", 303, "d765", made, "daily", 8, 0))
    services.reminders.schedule(added)
    await asyncio.sleep(1)  # the others hear of it
    await one.stop()

    def counts() -> list[int]:
        return [len(fake_bot_api.texts_to(chat)) for chat in (301, 302, 303)]

    await fake_bot_api.wait_until(lambda: all(counts()), 30)
    await asyncio.sleep(2)
    print(f"\nreminders sent with three instances (one stopped before 08:00): {counts()}")
    assert counts() == [1, 1, 1]
    store = rest[0].application.bot_data["services"].store
    assert len(await store.reminders_sent()) == 3

    # "Đã nhận" pressed twice by the same person, each press reaching another instance.
    [sent] = [c for c in fake_bot_api.calls_to("sendMessage") if c.chat_id == 301]
    data = sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    reader = user(301, "Lan")
    for instance in rest:
        assert await post_update(instance.url, fake_bot_api.button_update(
            reader, sent.result, data)) == 200
    answers = await fake_bot_api.wait_for("answerCallbackQuery", 2)
    assert [a.params["text"].startswith("Đã ghi nhận") for a in answers] == [True, False]
    assert [a.user_id for a in await store.acks()] == [301]


async def test_instances_answer_in_a_group_and_register_it_once(fake_bot_api, instances):
    a, b = await instances(2)
    chat = group_chat(-7001, "Tổ dân phố 1")
    fake_bot_api.make_admin(chat, LAN)
    update = fake_bot_api.text_update(LAN, "/dangkynhom Hoàng Mai", chat=chat)
    await asyncio.gather(post_update(a.url, update), post_update(b.url, update))
    await fake_bot_api.wait_until(lambda: fake_bot_api.texts_to(-7001))
    await asyncio.sleep(0.3)
    store = b.application.bot_data["services"].store
    assert [g.chat_id for g in await store.groups()] == [-7001]
    assert len(fake_bot_api.texts_to(-7001)) == 1


