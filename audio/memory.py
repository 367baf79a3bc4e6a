"""Handing the memory of freed audio arrays back to the system (glibc's malloc).

glibc serves an allocation above its mmap threshold with a private mapping and unmaps it on free,
but it raises the threshold to the size of every such block freed (up to 32 MB). After the first
long item, an item's float arrays (tens of MB) therefore come from the heap, where freed memory
stays with the process and fragments. Setting the threshold explicitly (which also turns the
adjustment off) keeps every array of `THRESHOLD` bytes or more in its own mapping, returned as
soon as it is freed; smaller allocations, most of Python's and numpy's, are unaffected. The price
is page faults when such an array is allocated again. glibc also gives every new thread its own
heap (up to 8 per core), each keeping its freed memory: the speaker's worker threads, which decode
and process online chunks, would each grow one, so `ARENAS` caps them.

Measured with bench/render.py's cold build of one day: peak RSS 234 → 219 MB for about 1.4 s more
system CPU (a 4 MB threshold gave 214 MB for 3 s); the online build of bench/tts_online.py: 259 →
234 MB with the arena cap. Process-wide, set once by the first `ProgramBuilder`; nothing where the
C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform
from functools import cache

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters
M_ARENA_MAX = -8
THRESHOLD = 16 << 20  # an item of about 3 minutes as float32 samples
ARENAS = 2


@cache
def release_freed_arrays() -> bool:
    """Make glibc return freed blocks of `THRESHOLD` bytes at once and share `ARENAS` heaps; False if not."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError) as exc:
        log.debug("mallopt unavailable: %s", exc)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done: bool = mallopt(M_MMAP_THRESHOLD, THRESHOLD) == 1 and mallopt(M_ARENA_MAX, ARENAS) == 1
    log.debug("glibc mmap threshold %d bytes, %d arenas: %s", THRESHOLD, ARENAS, "set" if done else "not set")
    return done
