"""A served instance, once caught up, freezes its start-up heap: full collections then walk only what was
made after (the objects start-up built were walked again by every one, 60 ms each under load)."""

from __future__ import annotations

import gc
import weakref

from shared.entrypoints.runtime import settle_heap


def _walked(thing: object) -> bool:
    return any(tracked is thing for tracked in gc.get_objects())


def test_what_exists_when_the_heap_settles_is_no_longer_walked_and_what_comes_after_is():
    before = ["built at start-up", []]  # lists are always tracked (a dict of strings is not)
    try:
        frozen = settle_heap()
        after = ["made while serving", []]
        assert frozen == gc.get_freeze_count() > 0
        assert gc.is_tracked(before) and not _walked(before) and _walked(after)
        cycle: list = []
        cycle.append(cycle)  # garbage made after the freeze is still collected
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
    assert _walked(before)


def test_without_a_collection_what_exists_is_frozen_as_it_is_garbage_included():
    class Node:
        pass

    node = Node()
    node.me = node  # a cycle: only a collection frees it
    alive = weakref.ref(node)
    del node  # garbage now, not collected yet
    try:
        settle_heap(collect=False)
        gc.collect()
        assert alive() is not None  # frozen: not walked, so not freed
        gc.unfreeze()
        gc.collect()
        assert alive() is None
    finally:
        gc.unfreeze()
