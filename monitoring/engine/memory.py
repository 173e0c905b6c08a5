"""Keep freed memory in the process while a run computes.

A run makes and drops hundreds of arrays of 30–150 MB. glibc's malloc serves each from a fresh mmap and gives
it back on free, so every array's pages are faulted in and zeroed by the kernel again: on the national data set
that was a third of a run's time as system time (7.6 of 20.8 s for the monthly figures). With mmap switched off
and no trimming, freed arrays are reused from the heap; the peak resident size stays the same (the largest
set of arrays alive at once), and the memory goes back to the system when the run ends (malloc_trim).

Only glibc has these knobs; elsewhere `reuse_freed_memory` does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager

# mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_MMAP_MAX = -4
DEFAULT_TRIM_THRESHOLD = 128 * 1024
DEFAULT_MMAP_THRESHOLD = 128 * 1024
DEFAULT_MMAP_MAX = 65536


def _glibc():
    try:
        name = ctypes.util.find_library("c")
        libc = ctypes.CDLL(name) if name else None
        if libc is None or not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim") or not hasattr(libc, "gnu_get_libc_version"):
            return None
        return libc
    except OSError:
        return None


_depth = 0


@contextmanager
def reuse_freed_memory() -> Iterator[bool]:
    """Within the block: large allocations come from the heap and freed memory stays there for the next one.
    After it: the defaults again, and free memory is returned. Yields whether the knobs were available.
    An inner block leaves the outer block's setting alone."""
    global _depth
    libc = _glibc()
    outer = libc is not None and _depth == 0
    if outer:
        libc.mallopt(M_MMAP_MAX, 0)
        libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
    _depth += 1
    try:
        yield libc is not None
    finally:
        _depth -= 1
        if outer:
            libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
            libc.mallopt(M_MMAP_THRESHOLD, DEFAULT_MMAP_THRESHOLD)
            libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
            libc.malloc_trim(0)

