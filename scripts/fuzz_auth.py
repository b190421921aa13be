"""Bearer auth for scripts/fuzz-api.sh: schemathesis hooks module (SCHEMATHESIS_HOOKS).

Starts from the access token the script logged in for (FUZZ_TOKEN). Some sequences end the
session that token belongs to (the stateful phase lists the caller's sessions and deletes one;
logout), and every later request would only see 401. On a 401 schemathesis drops the cached
token and calls `get` again, which logs in afresh, so the run keeps reaching the handlers.
It logs in by email (FUZZ_LOGIN): the run may rename the account, but cannot change its email.
"""

import json
import os
import urllib.error
import urllib.request

import schemathesis

_first = [os.environ["FUZZ_TOKEN"]]


def _login() -> str:
    body = json.dumps(
        {"username": os.environ["FUZZ_LOGIN"], "password": os.environ["FUZZ_PASSWORD"]}
    ).encode()
    request = urllib.request.Request(
        os.environ["FUZZ_BASE"] + "/api/v1/auth/token/",
        data=body,
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return json.load(response)["access"]
    except urllib.error.HTTPError as e:
        # Say what the server answered: a run that can no longer log in must say why.
        raise RuntimeError(f"logging in again failed: {e.code} {e.read()[:500]!r}") from e


@schemathesis.auth(refresh_interval=None, retry_on=[401])
class GatehouseBearer:
    def get(self, case, context):
        return _first.pop() if _first else _login()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
