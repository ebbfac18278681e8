"""The C library's functions (prctl, renameat2), taken from the running process's own symbols.

`ctypes.util.find_library("c")` runs `ldconfig -p` in a new process at every call: each forked
worker and each swap of the output folder paid for one (546 of them in one run of the tests).
"""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def libc() -> ctypes.CDLL | None:
    """The symbols of this process and the libraries it loaded (dlopen(NULL)), libc's among them."""
    try:
        return ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # no dlopen(NULL) on this platform
        return None
