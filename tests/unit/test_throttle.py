"""The sign-in throttle's rule (tasks.throttle), with fixed times: what is admitted, when a key
locks, how long each lock lasts, and what a success gives back."""

from datetime import datetime, timedelta, timezone

import pytest

from tasks.throttle import ADDRESS_LIMIT, USERNAME_LIMIT, Counter, Limit, attempt, given_back

T0 = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)


def run(limit: Limit, times: list[datetime], counter: Counter = Counter()) -> tuple[list[bool], Counter]:
    admitted = []
    for at in times:
        verdict = attempt(counter, limit, at)
        admitted.append(verdict.allowed)
        counter = verdict.counter
    return admitted, counter


def test_five_attempts_for_a_username_are_checked_and_the_sixth_waits_fifteen_minutes():
    admitted, counter = run(USERNAME_LIMIT, [T0 + i * MINUTE for i in range(5)])
    assert admitted == [True] * 5
    assert counter.locked_until == T0 + 4 * MINUTE + 15 * MINUTE
    refused = attempt(counter, USERNAME_LIMIT, T0 + 10 * MINUTE)
    assert (refused.allowed, refused.retry_after, refused.counter) == (False, 9 * MINUTE, counter)
    assert attempt(counter, USERNAME_LIMIT, T0 + 19 * MINUTE).allowed


def test_an_address_is_admitted_a_hundred_times_in_fifteen_minutes():
    admitted, counter = run(ADDRESS_LIMIT, [T0 + i * timedelta(seconds=5) for i in range(101)])
    assert admitted == [True] * 100 + [False]


def test_attempts_spread_wider_than_the_window_never_lock():
    admitted, counter = run(USERNAME_LIMIT, [T0 + i * 4 * MINUTE for i in range(20)])
    assert all(admitted) and counter.locked_until is None


@pytest.mark.parametrize("lockouts_before, delay", [
    (0, timedelta(minutes=15)), (1, timedelta(minutes=30)), (2, timedelta(hours=1)), (3, timedelta(hours=2)),
    (4, timedelta(hours=4)), (5, timedelta(hours=4)), (40, timedelta(hours=4)),
])
def test_each_lock_out_without_a_quiet_day_lasts_twice_as_long_up_to_four_hours(lockouts_before, delay):
    counter = Counter(attempts=4, window_start=T0, lockouts=lockouts_before, last_at=T0)
    verdict = attempt(counter, USERNAME_LIMIT, T0 + MINUTE)
    assert verdict.allowed and verdict.counter.locked_until == T0 + MINUTE + delay
    assert verdict.counter.lockouts == lockouts_before + 1


def test_after_a_lock_ends_the_count_starts_again_and_the_next_lock_is_longer():
    _, counter = run(USERNAME_LIMIT, [T0] * 5)
    after = T0 + 15 * MINUTE
    admitted, counter = run(USERNAME_LIMIT, [after] * 5, counter)
    assert admitted == [True] * 5 and counter.locked_until == after + 30 * MINUTE


def test_a_quiet_day_forgets_earlier_lock_outs():
    counter = Counter(attempts=5, window_start=T0, locked_until=T0 + 4 * 60 * MINUTE, lockouts=5, last_at=T0)
    _, counter = run(USERNAME_LIMIT, [T0 + timedelta(days=1)] * 5, counter)
    assert counter.locked_until == T0 + timedelta(days=1) + 15 * MINUTE and counter.lockouts == 1


def test_a_success_gives_its_attempt_back_and_lifts_the_lock_it_set():
    _, counter = run(USERNAME_LIMIT, [T0] * 5)
    back = given_back(counter, T0)
    assert (back.attempts, back.locked_until, back.lockouts) == (4, None, 0)
    assert given_back(Counter(attempts=2, window_start=T0, last_at=T0), T0).attempts == 1
    assert given_back(Counter(), T0) == Counter()
