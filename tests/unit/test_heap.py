"""A served instance freezes its start-up heap: full collections then walk only what was made after (the
objects start-up built were walked again by every one, 60 ms each under load)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from shared.entrypoints.runtime import settle_heap


class Node:
    """A tracked object that can be part of a cycle and be watched by a weak reference."""


@pytest.fixture(autouse=True)
def no_automatic_collection() -> Iterator[None]:
    """Only the test's own collections run (the suite's other threads allocate too), and nothing stays
    frozen after it."""
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


def _walked(thing: object) -> bool:
    return any(tracked is thing for tracked in gc.get_objects())


def test_what_exists_when_the_heap_settles_is_no_longer_walked_and_what_comes_after_is():
    before = Node()
    assert settle_heap() > 0
    after = Node()
    assert not _walked(before) and _walked(after)
    cycle = Node()
    cycle.me = cycle
    made_after = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert made_after() is None  # garbage made after the freeze is still collected
    gc.unfreeze()
    assert _walked(before)


def test_without_a_collection_what_exists_is_frozen_as_it_is_garbage_included():
    node = Node()
    node.me = node  # a cycle: only a collection frees it
    alive = weakref.ref(node)
    del node  # garbage now, not collected yet
    settle_heap(collect=False)
    gc.collect()
    assert alive() is not None  # frozen: not walked, so not freed
    gc.unfreeze()
    gc.collect()
    assert alive() is None
