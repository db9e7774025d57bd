from __future__ import annotations

import gc

import pytest

from site_tools.gc_pause import CollectorPause, cycle_collection_paused


def test_collections_resume_after_the_body_even_when_it_raises() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collection_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_collections_that_were_off_stay_off() -> None:
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_frozen_resume_leaves_what_was_loaded_out_of_collections() -> None:
    with CollectorPause(freeze=True) as pause:
        loaded = [[i] for i in range(1000)]
        assert not gc.isenabled()
        pause.resume()
        assert gc.isenabled() and gc.get_freeze_count() >= len(loaded)
    gc.unfreeze()
    assert gc.isenabled()
