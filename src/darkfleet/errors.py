"""One exception hierarchy for darkfleet.

Every error knows the HTTP status it maps to (so the API can answer with one JSON
shape) and carries context (file, line, parameter) so messages name what to fix.
Causes are chained with ``raise ... from exc``.
"""

from __future__ import annotations

from typing import Any


class DarkfleetError(Exception):
    """Base of every error darkfleet raises on purpose."""

    http_status: int = 500
    exit_code: int = 1

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = {k: v for k, v in context.items() if v is not None}

    def __str__(self) -> str:
        where = self.context.get("path")
        line = self.context.get("line_no")
        if where is not None and line is not None:
            return f"{where}:{line}: {self.message}"
        if where is not None:
            return f"{where}: {self.message}"
        return self.message

    def to_json(self) -> dict[str, Any]:
        """The single JSON error shape used by the CLI's --json output and the API."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "status": self.http_status,
            **{k: (str(v) if not isinstance(v, (int, float, bool)) else v) for k, v in self.context.items()},
        }


class InputError(DarkfleetError):
    """Input the user must fix: missing, empty, binary or unrecognised file."""

    http_status = 422
    exit_code = 2


class StrictModeError(InputError):
    """``--strict`` was given and a line was rejected."""


class ConfigError(DarkfleetError):
    """A configuration file or value is wrong (unknown key, impossible value)."""

    http_status = 422
    exit_code = 2


class StoreError(DarkfleetError):
    """The embedded store cannot be opened or written."""

    http_status = 500
    exit_code = 1


class NotFoundError(DarkfleetError):
    """A requested object (vessel, event) does not exist."""

    http_status = 404
    exit_code = 1


class MissingExtraError(DarkfleetError, ImportError):
    """An optional dependency is not installed; says which extra brings it."""

    exit_code = 2

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the '{package}' package: pip install 'darkfleet[{extra}]'",
            package=package,
            extra=extra,
        )


def require(module: str, extra: str) -> Any:
    """Import an optional module or raise :class:`MissingExtraError` naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(module.split(".")[0], extra) from exc
