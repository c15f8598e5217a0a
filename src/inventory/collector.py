"""The cyclic garbage collector, paused over work that holds many objects and makes almost
no reference cycles (a cache build, ``validate``'s duplicate search): left on, each of its
passes goes through every object held, again and again (a third of such work at 1M
activities). What cycles there are (an error's traceback) are collected once at the end."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collector() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
