"""The collector settings for bulk work are taken for the block only, then given back."""

from __future__ import annotations

import gc

from watchdog.gcwork import BULK_THRESHOLD, bulk_work


def test_bulk_work_freezes_the_heap_and_restores_the_settings_after() -> None:
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with bulk_work():
        assert gc.get_threshold() == BULK_THRESHOLD
        assert gc.get_freeze_count() > 0  # start-up's objects are no longer scanned
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_bulk_work_restores_the_settings_when_the_work_fails() -> None:
    before = gc.get_threshold()
    try:
        with bulk_work():
            raise RuntimeError("the import stopped")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_bulk_work_are_collected_without_being_asked() -> None:
    """Fewer collections, not none: a reference cycle made during bulk work is freed by the
    collector on its own once enough objects have been made (bulk work that disabled the
    collector would keep every cycle until the end)."""
    import weakref

    class Node:
        other: object = None

    with bulk_work():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None  # a cycle: reference counting alone does not free it
        churn = [[i] for i in range(3 * BULK_THRESHOLD[0])]  # containers the collector counts
        assert gone() is None
        del churn
