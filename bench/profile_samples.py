"""Reading py-spy's collapsed stacks: which library a server's busy samples end in.

Apart from ``bench.mutation_profile`` so that it imports nothing of the bench's extras (aiohttp),
and the test suite can check it without them.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

_LIBRARY = re.compile(r"\(([^/()]+)/")


def libraries(collapsed: Path) -> list[tuple[str, float]]:
    """The share of ``collapsed``'s busy samples (py-spy's raw format) whose innermost frame
    is in each library, largest first; samples waiting in the event loop's poll are idle."""
    counts: collections.Counter[str] = collections.Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        if "selectors" in leaf or "epoll" in leaf or "select (" in leaf:
            continue
        found = _LIBRARY.search(leaf)
        counts[found.group(1) if found else leaf[:40]] += int(count)
    total = sum(counts.values()) or 1
    return [(name, count / total) for name, count in counts.most_common()]
