"""Wrong PINs and passwords: how many are allowed and how long a user is locked out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_ATTEMPTS = 5
FIRST_LOCK = timedelta(minutes=5)
LONGEST_LOCK = timedelta(hours=24)


@dataclass(frozen=True)
class LockState:
    """A user's run of wrong attempts, how often they were locked, and until when."""

    failed_attempts: int
    lockouts: int
    locked_until: datetime | None


def is_locked(state: LockState, now: datetime) -> bool:
    """A user is locked while `locked_until` is in the future."""
    return state.locked_until is not None and now < state.locked_until


def lock_duration(lockouts_before: int) -> timedelta:
    """The first lock lasts 5 minutes and each later one doubles, up to a day."""
    doublings = min(max(lockouts_before, 0), 16)
    return min(FIRST_LOCK * (1 << doublings), LONGEST_LOCK)


def after_failure(state: LockState, now: datetime) -> LockState:
    """Count a wrong attempt; the fifth in a row locks the user and resets the run.

    Rule: 5 wrong in a row → locked for `lock_duration(lockouts)`; the lock doubles next time.
    """
    failed = state.failed_attempts + 1
    if failed >= MAX_ATTEMPTS:
        return LockState(0, state.lockouts + 1, now + lock_duration(state.lockouts))
    return LockState(failed, state.lockouts, state.locked_until)


def after_success(state: LockState) -> LockState:
    """A right PIN or password clears the run of failures and the doubling."""
    return LockState(0, 0, None)
