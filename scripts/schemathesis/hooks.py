"""Schemathesis hooks for Quorum: who the generated requests are sent as.

Two kinds of caller, both real accounts registered through the API:

- the member, for every operation but those below: registered and signed in once, and
  signed in again whenever an answer is 401 (a generated `POST /api/users/logout` revokes
  the token it was sent with; Schemathesis then signs in again and repeats the request);
- a new account for every request to the operations that end or change the account itself
  or charge its password-attempt budget (`DELETE /api/users/me`, `PUT /api/users/me`,
  `PUT /api/users/me/password`, `POST /api/users/me/email/confirm`): a generated request
  may delete it, and wrong current passwords make its sign-ins wait (`login_throttled`),
  which would lock the member out of the rest of the run.

`QUORUM_ST_BASE` is the server's base URL (scripts/schemathesis.sh sets it).
"""

import os
import uuid

import requests
import schemathesis

BASE = os.environ["QUORUM_ST_BASE"]
PASSWORD = "correct horse battery staple 9"
OWN_ACCOUNT = [
    ("DELETE", "/api/users/me"),
    ("PUT", "/api/users/me"),
    ("PUT", "/api/users/me/password"),
    ("POST", "/api/users/me/email/confirm"),
]


def _register(name: str) -> str:
    email = f"{name}-{uuid.uuid4().hex[:12]}@example.com"
    res = requests.post(
        f"{BASE}/api/users/register",
        json={"email": email, "password": PASSWORD, "name": name.capitalize()},
        timeout=30,
    )
    res.raise_for_status()
    return email


def _sign_in(email: str) -> str:
    res = requests.post(
        f"{BASE}/api/users/login",
        json={"email": email, "password": PASSWORD},
        timeout=30,
    )
    res.raise_for_status()
    return res.json()["accessToken"]


def _bearer(case, token: str) -> None:
    case.headers = case.headers or {}
    case.headers["Authorization"] = f"Bearer {token}"


_member = {}


def _skip_own_account(register):
    for method, path in OWN_ACCOUNT:
        register = register.skip_for(method=method, path=path)
    return register


def _only_own_account(register):
    for method, path in OWN_ACCOUNT:
        register = register.apply_to(method=method, path=path)
    return register


@_skip_own_account(schemathesis.auth(retry_on=[401]))
class Member:
    """The member: one account for the whole run, signed in again after a 401."""

    def get(self, case, context):
        if "email" not in _member:
            _member["email"] = _register("member")
        return _sign_in(_member["email"])

    def set(self, case, data, context):
        _bearer(case, data)


@_only_own_account(schemathesis.auth(refresh_interval=None))
class Newcomer:
    """A new account for each request that may end or lock it."""

    def get(self, case, context):
        return _sign_in(_register("newcomer"))

    def set(self, case, data, context):
        _bearer(case, data)
