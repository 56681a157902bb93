"""Credentials come from the environment, are explained when malformed, and never shown."""

from __future__ import annotations

import base64
import pickle

import pytest
from fivetran_codegen_runtime.rest.credentials import Credentials
from fivetran_codegen_runtime.rest.errors import CredentialsError, FivetranAuthError

KEY, SECRET = "k3yK3yk3yK3yk3y0", "s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t00"


def test_reads_dagster_names() -> None:
    creds = Credentials.from_env({"FIVETRAN_API_KEY": KEY, "FIVETRAN_API_SECRET": SECRET})
    assert (creds.api_key, creds.api_secret) == (KEY, SECRET)


def test_falls_back_to_terraform_names() -> None:
    creds = Credentials.from_env({"FIVETRAN_APIKEY": KEY, "FIVETRAN_APISECRET": SECRET})
    assert (creds.api_key, creds.api_secret) == (KEY, SECRET)


def test_dagster_names_win_over_terraform_names() -> None:
    env = {
        "FIVETRAN_API_KEY": KEY,
        "FIVETRAN_API_SECRET": SECRET,
        "FIVETRAN_APIKEY": "other",
        "FIVETRAN_APISECRET": "other",
    }
    assert Credentials.from_env(env).api_key == KEY


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, ["FIVETRAN_API_KEY", "FIVETRAN_API_SECRET"]),
        ({"FIVETRAN_API_KEY": KEY}, ["FIVETRAN_API_SECRET"]),
        ({"FIVETRAN_API_SECRET": SECRET}, ["FIVETRAN_API_KEY"]),
        ({"FIVETRAN_API_KEY": "  ", "FIVETRAN_API_SECRET": SECRET}, ["FIVETRAN_API_KEY"]),
    ],
)
def test_missing_credentials_name_the_variables(env: dict[str, str], named: list[str]) -> None:
    with pytest.raises(CredentialsError) as caught:
        Credentials.from_env(env)
    text = str(caught.value)
    for name in named:
        assert name in text
    assert SECRET not in text and KEY not in text


def test_base64_cli_pair_is_explained_not_sent() -> None:
    pair = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    with pytest.raises(CredentialsError) as caught:
        Credentials.from_env({"FIVETRAN_API_KEY": pair})
    text = str(caught.value)
    assert "base64" in text and "FIVETRAN_API_SECRET" in text
    assert KEY not in text and SECRET not in text and pair not in text


def test_a_plain_key_without_secret_is_not_mistaken_for_a_pair() -> None:
    with pytest.raises(CredentialsError) as caught:
        Credentials.from_env({"FIVETRAN_API_KEY": KEY})
    assert "base64" not in str(caught.value)


def test_repr_and_str_hide_both_values() -> None:
    creds = Credentials(KEY, SECRET)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert KEY not in text and SECRET not in text


def test_api_errors_pickle_with_their_fields() -> None:
    error = FivetranAuthError(
        "bad key", method="GET", path="/v1/groups", status=401, code="Unauthorized", hint="fix it"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is FivetranAuthError
    assert (copy.status, copy.code, copy.method, copy.path, copy.hint) == (
        401,
        "Unauthorized",
        "GET",
        "/v1/groups",
        "fix it",
    )
    assert str(copy) == str(error)
