"""Per-user flood control."""

from handlers.flood import FloodControl, Verdict

SERVE, WARN, IGNORE = Verdict.SERVE, Verdict.WARN, Verdict.IGNORE


def test_user_over_the_rate_gets_one_notice_then_silence():
    flood = FloodControl(max_messages=3, window=60)
    assert [flood.check(1, t) for t in (0, 1, 2, 3, 4, 5)] == [SERVE] * 3 + [WARN, IGNORE, IGNORE]


def test_user_is_served_again_once_the_window_passes():
    flood = FloodControl(max_messages=2, window=60)
    assert [flood.check(1, t) for t in (0, 10, 20)] == [SERVE, SERVE, WARN]
    assert flood.wait_seconds(1, 20) == 40
    assert flood.check(1, 60.5) == SERVE
    assert flood.check(1, 61) == WARN


def test_other_users_are_unaffected():
    flood = FloodControl(max_messages=1, window=60)
    assert [flood.check(1, 0), flood.check(1, 1)] == [SERVE, WARN]
    assert flood.check(2, 1) == SERVE


def test_zero_turns_flood_control_off():
    flood = FloodControl(max_messages=0, window=60)
    assert {flood.check(1, t / 10) for t in range(100)} == {SERVE}


def test_idle_users_are_forgotten_when_the_table_is_full():
    flood = FloodControl(max_messages=1, window=10, max_users=2)
    flood.check(1, 0)
    flood.check(2, 0)
    assert flood.check(3, 100) == SERVE
    assert flood.check(1, 100) == SERVE
