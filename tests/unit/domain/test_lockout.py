"""Lock-out rules for wrong PINs and passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bakery.domain.lockout import LockState, after_failure, after_success, is_locked, lock_duration

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CLEAN = LockState(0, 0, None)


def test_four_wrong_attempts_do_not_lock():
    state = CLEAN
    for _ in range(4):
        state = after_failure(state, NOW)
    assert state.failed_attempts == 4
    assert not is_locked(state, NOW)


def test_the_fifth_wrong_attempt_locks_for_five_minutes():
    state = CLEAN
    for _ in range(5):
        state = after_failure(state, NOW)
    assert state.locked_until == NOW + timedelta(minutes=5)
    assert is_locked(state, NOW + timedelta(minutes=4, seconds=59))
    assert not is_locked(state, NOW + timedelta(minutes=5))


def test_each_later_lock_doubles_up_to_a_day():
    assert [lock_duration(n) for n in range(4)] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert lock_duration(50) == timedelta(hours=24)


def test_a_success_clears_the_run_and_the_doubling():
    state = LockState(3, 2, None)
    assert after_success(state) == CLEAN
