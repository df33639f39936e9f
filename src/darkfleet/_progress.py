"""Progress display: a rich bar on an interactive terminal, silence in pipes and CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def interactive() -> bool:
    """True when a person is watching: stderr is a TTY and we are not in CI."""
    if os.environ.get("CI") or os.environ.get("DARKFLEET_NO_PROGRESS"):
        return False
    return sys.stderr.isatty()


def track(items: Iterable[T], description: str, total: float | None = None) -> Iterator[T]:
    """Iterate ``items``, showing a progress bar only when :func:`interactive`."""
    if not interactive():
        yield from items
        return
    from rich.progress import Progress

    with Progress(transient=True, console=_console()) as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)


class Bar:
    """A manually advanced bar (e.g. bytes read); a no-op when not interactive."""

    def __init__(self, description: str, total: float | None = None) -> None:
        self._progress = None
        if interactive():
            from rich.progress import Progress

            self._progress = Progress(transient=True, console=_console())
            self._task = self._progress.add_task(description, total=total)

    def __enter__(self) -> "Bar":
        if self._progress is not None:
            self._progress.start()
        return self

    def advance(self, amount: float = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


def _console():
    from rich.console import Console

    return Console(stderr=True)
