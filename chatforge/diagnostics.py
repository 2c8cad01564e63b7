"""Problems found in a spec, as data: collected, sorted and printed by the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # what reading changed (an OpenAPI 3.0 document's normalisation), --verbose


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    col: int
    level: Level
    message: str
    pointer: str = ""
    rule: str = ""  # the lint rule that found it, where one did

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        pointer = f" ({self.pointer})" if self.pointer else ""
        return f"{where}: {self.level.value}: {self.message}{pointer}"


def escape_pointer_token(token: object) -> str:
    text = str(token)
    if "~" not in text and "/" not in text:  # most names, cheaply
        return text
    return text.replace("~", "~0").replace("/", "~1")


def pointer_of(*tokens: object) -> str:
    """The JSON pointer ("/paths/~1users/get") of a path of keys and indexes."""
    return "".join("/" + escape_pointer_token(token) for token in tokens)


@dataclass
class Diagnostics:
    """A collector. Positions come from a locator (pointer -> line, col); in a document bundled
    from several files, `origins` names the file of each part that came from another one (the
    pointer where the part starts -> the file as shown and the pointer of the part in it), and
    its positions are in that file: a diagnostic there names that file and that file's pointer."""

    file: str
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    items: list[Diagnostic] = field(default_factory=list)
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)

    def origin(self, pointer: str) -> tuple[str, str]:
        """The file that the value at `pointer` was read from, and its pointer in that file."""
        if not self.origins:
            return self.file, pointer
        probe = pointer
        while probe:
            if probe in self.origins:
                file, inner = self.origins[probe]
                return file, inner + pointer[len(probe) :]
            probe = probe.rsplit("/", 1)[0]
        return self.file, pointer

    def locate(self, pointer: str) -> tuple[int, int]:
        probe = pointer
        while True:
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return (1, 1)
            probe = probe.rsplit("/", 1)[0]

    def add(self, level: Level, message: str, pointer: str = "") -> None:
        line, col = self.locate(pointer)
        file, shown = self.origin(pointer)
        self.items.append(Diagnostic(file, line, col, level, message, shown))

    def error(self, message: str, pointer: str = "") -> None:
        self.add(Level.ERROR, message, pointer)

    def error_at(self, line: int, col: int, message: str, pointer: str = "") -> None:
        """An error at a place of the file that no pointer of its own locates (a YAML tag, a
        key that is not a string)."""
        self.items.append(Diagnostic(self.file, line, col, Level.ERROR, message, pointer))

    def warning(self, message: str, pointer: str = "") -> None:
        self.add(Level.WARNING, message, pointer)

    @property
    def has_errors(self) -> bool:
        return any(item.level is Level.ERROR for item in self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(set(self.items)))


class SpecError(Exception):
    """Raised when a stage cannot go on; carries the diagnostics gathered so far."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.render() for d in diagnostics))
        self.diagnostics = diagnostics

    def __reduce__(self) -> tuple[type[SpecError], tuple[list[Diagnostic]]]:
        # Pickled whole, so one raised in a worker process is raised again as it was.
        return (SpecError, (self.diagnostics,))
