"""Handing the memory of freed item-sized arrays back to the system (glibc's malloc).

glibc serves an allocation above its mmap threshold with a private mapping and unmaps it on free,
but it raises the threshold to the size of every such block freed (up to 32 MB). After the first
long item, an item's float arrays (tens of MB) therefore come from the heap, where freed memory
stays with the process and fragments. Setting the threshold explicitly (which also turns the
adjustment off) keeps every array of `THRESHOLD` bytes or more in its own mapping, returned as
soon as it is freed; smaller allocations, most of Python's and numpy's, are unaffected. The price
is page faults when such an array is allocated again. Measured with bench/render.py's cold build of
one day: peak RSS 234 → 219 MB, about 1.4 s more system CPU (16 MB; a 4 MB threshold gave 214 MB
for 3 s). Process-wide, set once by the first `ProgramBuilder`; nothing where the C library is not
glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import platform
from functools import cache

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
THRESHOLD = 16 << 20  # an item of about 3 minutes as float32 samples


@cache
def release_freed_arrays() -> bool:
    """Make glibc give freed blocks of `THRESHOLD` bytes or more back at once; False where it cannot."""
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
    done = mallopt(M_MMAP_THRESHOLD, THRESHOLD) == 1
    log.debug("glibc mmap threshold %s at %d bytes", "set" if done else "not set", THRESHOLD)
    return done
