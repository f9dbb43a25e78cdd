"""Errors a person editing the archive can act on: `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(order=True, unsafe_hash=True)
class SourceError(Exception):
    """A problem in one file, at one line (0 when the whole file is meant).

    Not a frozen dataclass: Python sets an exception's __traceback__ as it is raised and passed
    on, which a frozen one refuses (a FrozenInstanceError in place of the message). Never changed.
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, int, str]]:
        # An exception pickles as its class and args (none here): rebuild it from its fields instead
        # (errors come back from workers).
        return (SourceError, (self.path, self.line, self.message))


class FileErrors(SourceError):
    """Several problems found at once in one file (its front matter's repeated keys and refused
    characters): it stands for the first of them, and `errors` holds them all."""

    def __init__(self, errors: list[SourceError]):
        self.errors = sorted(errors)
        super().__init__(self.errors[0].path, self.errors[0].line, self.errors[0].message)

    def __reduce__(self) -> tuple[type[FileErrors], tuple[list[SourceError]]]:  # type: ignore[override]
        return (FileErrors, (self.errors,))


def every(error: SourceError) -> list[SourceError]:
    """The problems an error stands for: itself, or all those of a FileErrors."""
    return list(error.errors) if isinstance(error, FileErrors) else [error]


@dataclass
class Problems:
    """Collects every error and warning of a run, so all are reported at once."""

    errors: list[SourceError] = field(default_factory=list)
    warnings: list[SourceError] = field(default_factory=list)

    def error(self, path: str, line: int, message: str) -> None:
        """Record an error."""
        self.errors.append(SourceError(path, line, message))

    def warn(self, path: str, line: int, message: str) -> None:
        """Record a warning."""
        self.warnings.append(SourceError(path, line, message))

    def extend(self, other: Problems) -> None:
        """Take over everything another collector found."""
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def failed(self, strict: bool = False) -> bool:
        """True when the run must stop (warnings count under --strict)."""
        return bool(self.errors or (strict and self.warnings))


class BuildError(Exception):
    """The build stopped on problems in the content; nothing was written."""

    def __init__(self, errors: list[SourceError]):
        super().__init__("\n".join(str(e) for e in sorted(errors)))
        self.errors = sorted(set(errors))


class UsageError(Exception):
    """A problem with the command line or the project folder itself (exit 2 or 1)."""
