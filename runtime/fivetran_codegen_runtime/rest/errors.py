"""One exception family for everything fivetran-codegen reports.

Every error says what went wrong, where (an endpoint, a file and JSON path, a config key) and, when
there is one, how to fix it. None of them ever carries credentials: messages are built from
method, path, status and Fivetran's own error code and message, never from headers or URLs with
userinfo.
"""

from __future__ import annotations


class FivetranCodegenError(Exception):
    """Base of every error this project raises on purpose."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class CredentialsError(FivetranCodegenError):
    """Credentials are missing or malformed (nothing was sent to Fivetran)."""


class FivetranAPIError(FivetranCodegenError):
    """A call to the Fivetran REST API failed.

    `status` is the HTTP status (None when no response arrived), `code` Fivetran's error code
    (`NotFound_SchemaConfig`, `TooManyRequests`...; "UNKNOWN" when the body was not Fivetran JSON).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        status_text = f" -> HTTP {status}" if status is not None else ""
        code_text = f" [{code}]" if code else ""
        super().__init__(message, where=f"{method} {path}{status_text}{code_text}", hint=hint)
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.request_id = request_id

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only constructor: make pickling (Dagster ships errors across processes) work.
        return (
            _rebuild_api_error,
            (
                type(self),
                self.message,
                self.method,
                self.path,
                self.status,
                self.code,
                self.request_id,
                self.hint,
            ),
        )


def _rebuild_api_error(
    cls: type[FivetranAPIError],
    message: str,
    method: str,
    path: str,
    status: int | None,
    code: str | None,
    request_id: str | None,
    hint: str | None,
) -> FivetranAPIError:
    return cls(
        message,
        method=method,
        path=path,
        status=status,
        code=code,
        request_id=request_id,
        hint=hint,
    )


class FivetranAuthError(FivetranAPIError):
    """401 (bad key or secret) or 403 (the key lacks a permission)."""


class FivetranNotFoundError(FivetranAPIError):
    """404: the object does not exist, or (NotFound_SchemaConfig) has no schema config yet."""


class FivetranRateLimitError(FivetranAPIError):
    """429 that outlasted the retry budget."""

    retry_after: float | None = None


class FivetranServerError(FivetranAPIError):
    """5xx that outlasted the retry budget."""


class FivetranClientError(FivetranAPIError):
    """Any other 4xx: the request itself is wrong; never retried."""


class FivetranTransportError(FivetranAPIError):
    """No usable response: connection refused or dropped, or a timeout, after the retry budget."""


class FivetranResponseError(FivetranAPIError):
    """A response arrived but cannot be used: not JSON, truncated, wrong envelope, looping cursor."""
