"""The error every simulator layer raises; the server turns it into Fivetran's error envelope."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def invalid_input(message: str) -> ApiError:
    return ApiError(400, "InvalidInput", message)
