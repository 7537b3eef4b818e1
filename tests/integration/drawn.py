"""Examples drawn from a hypothesis strategy up front, for property tests that check each one
against a database in an async test (hypothesis's @given does not drive coroutines here)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy


def draw_examples(strategy: SearchStrategy, n: int) -> list[Any]:
    examples: list[Any] = []

    @settings(max_examples=n, database=None, suppress_health_check=list(HealthCheck), deadline=None)
    @given(strategy)
    def collect(example):
        examples.append(example)

    collect()
    return examples
