"""Every data problem of a run in one error: checks run on, their ``DataValidationError``s are
collected and raised together, grouped by file, each naming its column, rows and the
configuration key, so that one rerun after fixing the data suffices.

    problems = Problems()
    with problems.check():
        check_something(...)        # raises DataValidationError
    problems.raise_any()            # one problem: that error; several: DataProblemsError
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from helpers.core.errors import DataValidationError

__all__ = ["DataProblemsError", "Problems"]


class DataProblemsError(DataValidationError):
    """Several data problems; ``problems`` holds each (a ``DataValidationError``), and the
    message lists them grouped by file."""

    def __init__(self, problems: list[DataValidationError]) -> None:
        self.problems = tuple(problems)
        by_file: dict[str, list[DataValidationError]] = {}
        for problem in self.problems:
            by_file.setdefault(problem.file or "(configuration)", []).append(problem)
        lines = [f"{len(self.problems)} data problems (fix them all, then run again):"]
        for file, items in by_file.items():
            lines.append(f"  {file}:")
            for problem in items:
                text = str(problem)
                if problem.file is not None and text.startswith(f"{problem.file}: "):
                    text = text[len(problem.file) + 2:]
                lines.append(f"    - {text}")
        super().__init__("\n".join(lines))
        self.file = self.problems[0].file
        self.column = self.problems[0].column

    def __str__(self) -> str:
        return self.message


class Problems:
    """Collects ``DataValidationError``s (a ``DataProblemsError`` contributes each of its own)."""

    def __init__(self) -> None:
        self.items: list[DataValidationError] = []

    def add(self, error: DataValidationError) -> None:
        for problem in getattr(error, "problems", (error,)):
            if str(problem) not in {str(p) for p in self.items}:
                self.items.append(problem)

    @contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except DataValidationError as exc:
            self.add(exc)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_any(self) -> None:
        if len(self.items) == 1:
            raise self.items[0]
        if self.items:
            raise DataProblemsError(self.items)
