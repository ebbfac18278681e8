"""What a build's processes hold: no memory the build freed, no answer or text it is done with."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisite.pool import fork_call, fork_map


def _resident_mb(status: str = "/proc/self/status") -> float:
    line = next(line for line in Path(status).read_text().splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.unit
@pytest.mark.parametrize("start", ["fork_map", "fork_call"])
def test_a_worker_does_not_start_with_the_memory_its_parent_freed(start: str) -> None:
    # About 110 MB of text with long-lived strings between its pieces, then freed: the C heap
    # keeps the pages, which a forked worker would count again.
    kept, freed = [], []
    for n in range(110_000):
        freed.append("x" * (700 + n % 600))
        if n % 4 == 0:
            kept.append(str(n) * 20)
    del freed
    before = _resident_mb()
    if start == "fork_map":
        [at_start] = list(fork_map(lambda _: _resident_mb(), 1, 1, 1))
    else:
        at_start = fork_call(_resident_mb).result()
    assert before - at_start > 60, (before, at_start)
    assert len(kept) == 27_500
