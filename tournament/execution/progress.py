"""Progress reporting for long runs (tqdm on stderr; silent when disabled)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress_bar(
    total: int, *, enabled: bool, desc: str = "", unit: str = "match"
) -> Iterator[Callable[[int], None] | None]:
    """Yield a callback ``update(n)`` advancing a bar of ``total`` items, or None if disabled."""
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    with tqdm(
        total=total, desc=desc[:40], unit=unit, file=sys.stderr, leave=False, disable=None, mininterval=0.5
    ) as bar:
        yield bar.update
