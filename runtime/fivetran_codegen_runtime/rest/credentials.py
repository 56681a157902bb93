"""Fivetran API credentials: read from the environment, never shown.

Dagster's names (`FIVETRAN_API_KEY`, `FIVETRAN_API_SECRET`) come first; the Terraform provider's
(`FIVETRAN_APIKEY`, `FIVETRAN_APISECRET`) are accepted as a fallback. Fivetran's own CLI keeps a
single base64 `key:secret` in `FIVETRAN_API_KEY`; that form is detected and explained rather than
sent as a key (Dagster would read the same variable at run time and fail).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from fivetran_codegen_runtime.rest.errors import CredentialsError

KEY_VARS = ("FIVETRAN_API_KEY", "FIVETRAN_APIKEY")
SECRET_VARS = ("FIVETRAN_API_SECRET", "FIVETRAN_APISECRET")


@dataclass(frozen=True)
class Credentials:
    """An API key and secret; `repr` and `str` never show either."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return "Credentials(api_key=<redacted>, api_secret=<redacted>)"

    __str__ = __repr__

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        key_vars: tuple[str, ...] = KEY_VARS,
        secret_vars: tuple[str, ...] = SECRET_VARS,
    ) -> Credentials:
        """Read the key and secret from the first of `key_vars` / `secret_vars` that is set
        (another workspace's profile names its own variables)."""
        env = os.environ if environ is None else environ
        key_var, key = _first_set(env, key_vars)
        _, secret = _first_set(env, secret_vars)
        if key and not secret and _looks_like_cli_pair(key):
            raise CredentialsError(
                f"{key_var} holds a base64-encoded 'key:secret' pair (the form Fivetran's own CLI "
                f"uses), and {secret_vars[0]} is not set",
                where="environment",
                hint="set FIVETRAN_API_KEY to the API key and FIVETRAN_API_SECRET to the API "
                "secret, separately (Dagster reads both at run time); decode the pair with "
                f"`printenv {key_var} | base64 -d`",
            )
        missing = [
            name for name, value in ((key_vars[0], key), (secret_vars[0], secret)) if not value
        ]
        if missing:
            raise CredentialsError(
                f"no Fivetran credentials: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set",
                where="environment",
                hint=f"export {key_vars[0]} and {secret_vars[0]} (Fivetran dashboard > Settings > "
                "API key); to try the tool without an account, run `fivetran-codegen simulate`",
            )
        return cls(api_key=key.strip(), api_secret=secret.strip())


def _first_set(env: Mapping[str, str], names: tuple[str, ...]) -> tuple[str, str]:
    for name in names:
        value = env.get(name, "")
        if value.strip():
            return name, value
    return names[0], ""


def _looks_like_cli_pair(value: str) -> bool:
    text = value.strip()
    try:
        decoded = base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    key, sep, secret = decoded.partition(":")
    return bool(sep and key and secret and decoded.isprintable())
