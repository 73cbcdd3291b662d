"""A progress bar on a terminal (rich); nothing when the output is a file or a pipe."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn


class Bar:
    """One bar per pass of the import, on standard error."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=console, transient=False,
        )  # fmt: skip
        self.task: TaskID | None = None

    def __enter__(self) -> Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, phase: str, total: int) -> None:
        self.task = self.progress.add_task(phase, total=total)

    def advance(self) -> None:
        if self.task is not None:
            self.progress.advance(self.task)


def terminal() -> Console | None:
    """Standard error's console when it is a terminal."""
    console = Console(stderr=True)
    return console if console.is_terminal else None
