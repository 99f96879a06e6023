"""Per-user flood control: a burst to explore with, then a steady rate."""

from handlers.flood import FloodControl, Verdict

SERVE, WARN, IGNORE = Verdict.SERVE, Verdict.WARN, Verdict.IGNORE


def test_user_over_the_burst_gets_one_notice_then_silence():
    flood = FloodControl(rate=3, window=60, burst=3)
    assert [flood.check(1, t / 10) for t in range(6)] == [SERVE] * 3 + [WARN, IGNORE, IGNORE]


def test_a_person_exploring_the_menus_is_never_stopped():
    # /start, four example buttons, /help, /bieudo and three charts, /theodoi and its button,
    # /huytheodoi and two presses: 16 actions within a minute, then questions every few seconds.
    flood = FloodControl(rate=20, window=60, burst=30)
    exploring = [flood.check(1, t * 3.5) for t in range(16)]
    asking = [flood.check(1, 60 + t * 5) for t in range(60)]
    assert set(exploring) == set(asking) == {SERVE}


def test_a_script_is_held_to_the_steady_rate():
    flood = FloodControl(rate=20, window=60, burst=30)
    served = sum(flood.check(1, t / 100) is SERVE for t in range(6000))  # 100 a second for 60 s
    assert 30 <= served <= 30 + 20 + 1


def test_tokens_come_back_at_the_rate():
    flood = FloodControl(rate=2, window=60, burst=2)
    assert [flood.check(1, t) for t in (0, 1, 2)] == [SERVE, SERVE, WARN]
    assert flood.wait_seconds(1, 2) == 28
    assert flood.check(1, 31) == SERVE
    assert flood.check(1, 32) == WARN


def test_other_users_are_unaffected():
    flood = FloodControl(rate=1, window=60, burst=1)
    assert [flood.check(1, 0), flood.check(1, 1)] == [SERVE, WARN]
    assert flood.check(2, 1) == SERVE


def test_zero_turns_flood_control_off():
    flood = FloodControl(rate=0, window=60)
    assert {flood.check(1, t / 10) for t in range(100)} == {SERVE}
    assert flood.wait_seconds(1, 5) == 0


def test_refilled_users_are_forgotten_when_the_table_is_full():
    flood = FloodControl(rate=1, window=10, burst=1, max_users=2)
    flood.check(1, 0)
    flood.check(2, 0)
    assert flood.check(3, 100) == SERVE
    assert flood.check(1, 100) == SERVE
