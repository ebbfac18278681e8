"""The C library's functions (prctl, renameat2, malloc_trim), from the process's own symbols.

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


def give_back() -> None:
    """Return the C heap's free pages to the system (glibc's malloc_trim; elsewhere nothing).

    A forked worker starts with every page its parent holds, free ones too: a build that read
    and rendered thousands of articles kept about 110 MB it had freed (5,000 articles), which
    each of its workers then counted again."""
    trim = getattr(libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)
