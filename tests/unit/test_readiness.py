"""The broker's part of an instance's readiness: one slow probe does not take a ready instance out of its
load balancer; two in a row do; an instance not ready yet needs an answer."""

from __future__ import annotations

from shared.entrypoints.runtime import broker_readiness


def play(start_ready: bool, answers: list[bool]) -> list[bool]:
    ready, misses, seen = start_ready, 0, []
    for answered in answers:
        ready, misses = broker_readiness(ready, misses, answered)
        seen.append(ready)
    return seen


def test_a_ready_instance_rides_out_one_unanswered_probe():
    assert play(True, [True, False, True, False, True]) == [True, True, True, True, True]


def test_two_unanswered_probes_in_a_row_make_it_unready_until_the_next_answer():
    assert play(True, [False, False, False, True]) == [True, False, False, True]


def test_an_instance_not_ready_yet_needs_an_answer():
    assert play(False, [False, True]) == [False, True]
