"""Hand-written FastAPI apps: the baseline of bench/server_rps.py.

For each benchmarked operation, the endpoint a careful person would write by hand with FastAPI,
doing the validation the generated server does: the same Pydantic request model (imported from
the generated `models` module with the checks it imports, and nothing else of the generated
server's runtime or routes), JSON read as the generated server reads it, the same credential
check written out with hashlib and hmac, and the same example answer serialized through the
same response model. Errors keep FastAPI's own
shapes (422 for a request that does not validate, 401 for bad credentials).

Each factory below is what uvicorn runs (`--factory handwritten_server:rongcloud_app`).
"""

# No `from __future__ import annotations`: the endpoints below annotate with models bound to local
# names, which FastAPI could not resolve from postponed (string) annotations.
import base64
import binascii
import hashlib
import hmac
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

# The models and examples come from the tree bench/server_rps.py measures (see --generated there).
GENERATED = Path(
    os.environ.get("SERVER_RPS_GENERATED") or Path(__file__).resolve().parent.parent / "generated"
)

# Credentials both sides accept; the load generator signs with them.
# The items a generated mock pages a list through (MOCK_ITEMS of its runtime, `_mock.py`).
MOCK_ITEMS = 5
RONGCLOUD_APP_KEY = "bench-app-key"
RONGCLOUD_APP_SECRET = "bench-app-secret"
RONGCLOUD_WINDOW_SECONDS = 300.0  # the generated signature_check's default
STREAM_API_KEY = "bench-api-key"
STREAM_API_SECRET = "bench-api-secret"
UPSTRA_TOKEN = "bench-admin-token"


def _load(slug: str, name: str) -> ModuleType:
    """A module of the generated server (models or _examples) loaded from its file, as part of
    a bare package standing for the server's: the models' own checks (`_runtime/_checks.py`)
    come with them, nothing else of the server (its `__init__`, app and routes) is run."""
    (folder,) = (GENERATED / slug / "server").glob("*_server")
    package = f"_bench_{slug}"
    if package not in sys.modules:
        bare = ModuleType(package)
        bare.__path__ = [str(folder)]
        sys.modules[package] = bare
    module_name = f"{package}.{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, folder / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # Pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    return module


def _from_json(model: Any, raw: bytes | str, where: tuple[str, ...]) -> Any:
    """`model` read from JSON text as the generated server reads it: the validation context
    `{"json": True}` has the models refuse numbers and booleans written as text."""
    try:
        return model.model_validate_json(raw, context={"json": True})
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        raise RequestValidationError(
            [{**error, "loc": (*where, *error["loc"])} for error in errors]
        ) from None


def _page(example: dict[str, Any], key: str, start: int, size: int | None) -> dict[str, Any]:
    """The example answer of a list the spec pages (`x-pagination`), holding the page asked for
    of a few items made from the example's: what a mock endpoint written by hand serves, and
    what the generated mock serves too."""
    sample = example[key]
    data = [sample[index % len(sample)] for index in range(MOCK_ITEMS)] if sample else []
    size = len(data) if size is None or size < 1 else size
    start = min(max(start, 0), len(data))
    return {**example, key: data[start : start + size]}


def _bare_app(**kwargs: Any) -> FastAPI:
    return FastAPI(openapi_url=None, docs_url=None, redoc_url=None, **kwargs)


# --------------------------------------------------------------------------------------------
# RongCloud: signed headers, form body.


def _first_header(request: Request, name: str) -> str:
    """A RongCloud header, sent bare or with the `RC-` prefix."""
    value = request.headers.get(name) or request.headers.get(f"RC-{name}")
    if not value:
        raise HTTPException(401, f"the {name} header is missing")
    return value


async def check_signature(request: Request) -> None:
    """App-Key known, Timestamp (seconds or milliseconds) within the window, and Signature the
    SHA1 hex digest of secret + Nonce + Timestamp."""
    app_key = _first_header(request, "App-Key")
    nonce = _first_header(request, "Nonce")
    timestamp = _first_header(request, "Timestamp")
    signature = _first_header(request, "Signature")
    if not hmac.compare_digest(app_key, RONGCLOUD_APP_KEY):
        raise HTTPException(401, "unknown app key")
    try:
        seconds = int(timestamp)
    except ValueError:
        raise HTTPException(401, "the timestamp is not a number") from None
    if seconds > 10**11:
        seconds //= 1000
    if abs(time.time() - seconds) > RONGCLOUD_WINDOW_SECONDS:
        raise HTTPException(401, "the timestamp is outside the accepted window")
    text = RONGCLOUD_APP_SECRET + nonce + timestamp
    expected = hashlib.sha1(text.encode("utf-8")).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise HTTPException(401, "the signature does not match")


def rongcloud_app() -> FastAPI:
    models = _load("rongcloud", "models")
    examples: dict[str, Any] = _load("rongcloud", "_examples").EXAMPLES
    register_user_example = examples["register_user"]
    get_user_remarks_example = examples["get_user_remarks"]
    RegisterUserRequest = models.RegisterUserRequest
    GetUserRemarksRequest = models.GetUserRemarksRequest

    app = _bare_app(dependencies=[Depends(check_signature)])

    @app.post(
        "/user/getToken.json",
        response_model=models.RegisterUserResponse,
        response_model_exclude_unset=True,
    )
    async def register_user(body: Annotated[RegisterUserRequest, Form()]) -> Any:  # type: ignore[valid-type]
        return register_user_example

    @app.post(
        "/user/remarks/get.json",
        response_model=models.GetUserRemarksResponse,
        response_model_exclude_unset=True,
    )
    async def get_user_remarks(body: Annotated[GetUserRemarksRequest, Form()]) -> Any:  # type: ignore[valid-type]
        form: Any = body  # its class is made at run time
        return _page(get_user_remarks_example, "users", (form.page - 1) * form.size, form.size)

    return app


# --------------------------------------------------------------------------------------------
# Stream: a JWT (HS256) and the API key in the query, JSON body or JSON-encoded query parameter.

_STREAM_SECRET = STREAM_API_SECRET.encode("utf-8")


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def check_jwt(request: Request) -> None:
    """`api_key` in the query, and in `Authorization` a JWT signed with HS256 and the API
    secret whose claims, if they carry `exp`, have not expired."""
    api_key = request.query_params.get("api_key")
    if api_key is None or not hmac.compare_digest(api_key, STREAM_API_KEY):
        raise HTTPException(401, "the api_key parameter is missing or wrong")
    token = request.headers.get("authorization")
    if not token:
        raise HTTPException(401, "the Authorization header is missing")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_b64(header_b64))
        signature = _b64(signature_b64)
    except (ValueError, binascii.Error):
        raise HTTPException(401, "the token is not a JSON Web Token") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise HTTPException(401, "the token is not signed with HS256")
    signing_input = f"{header_b64}.{claims_b64}".encode("ascii")
    expected = hmac.new(_STREAM_SECRET, signing_input, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise HTTPException(401, "the token's signature does not match")
    try:
        claims = json.loads(_b64(claims_b64))
    except (ValueError, binascii.Error):
        raise HTTPException(401, "the token's claims are not JSON") from None
    if not isinstance(claims, dict):
        raise HTTPException(401, "the token's claims are not an object")
    expires = claims.get("exp")
    if isinstance(expires, int | float) and expires < time.time():
        raise HTTPException(401, "the token has expired")


def stream_app() -> FastAPI:
    models = _load("stream", "models")
    examples: dict[str, Any] = _load("stream", "_examples").EXAMPLES
    upsert_users_example = examples["upsert_users"]
    query_users_example = examples["query_users"]
    UpsertUsersRequest = models.UpsertUsersRequest
    QueryUsersPayload = models.QueryUsersPayload

    app = _bare_app(dependencies=[Depends(check_jwt)])

    @app.post(
        "/users",
        status_code=201,
        response_model=models.UsersResponse,
        response_model_exclude_unset=True,
    )
    async def upsert_users(request: Request) -> Any:
        _from_json(UpsertUsersRequest, await request.body(), ("body",))
        return upsert_users_example

    @app.get(
        "/users",
        response_model=models.QueryUsersResponse,
        response_model_exclude_unset=True,
    )
    async def query_users(payload: Annotated[str, Query()]) -> Any:
        query = _from_json(QueryUsersPayload, payload, ("query", "payload"))
        return _page(query_users_example, "users", query.offset or 0, query.limit)

    return app


# --------------------------------------------------------------------------------------------
# UpStra: a bearer token, query parameters.


async def check_bearer(request: Request) -> None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token, UPSTRA_TOKEN):
        raise HTTPException(401, "a valid bearer token is required")


def upstra_app() -> FastAPI:
    models = _load("upstra", "models")
    examples: dict[str, Any] = _load("upstra", "_examples").EXAMPLES
    query_users_example = examples["query_users"]

    app = _bare_app(dependencies=[Depends(check_bearer)])

    @app.get(
        "/api/v2/users",
        response_model=models.UserList,
        response_model_exclude_unset=True,
    )
    async def query_users(
        search: str | None = None,
        filter: Literal["all", "flagged"] = "all",
        page_token: Annotated[str | None, Query(alias="pageToken")] = None,
        limit: int = 10,
    ) -> Any:
        # Pages named by the position they start at; any other token, past the end.
        start = 0 if not page_token else int(page_token) if page_token.isdigit() else MOCK_ITEMS
        answer = _page(query_users_example, "users", start, limit)
        end = min(start, MOCK_ITEMS) + len(answer["users"])
        paging = {k: v for k, v in answer["paging"].items() if k != "next"}
        answer["paging"] = {**paging, "next": str(end)} if end < MOCK_ITEMS else paging
        return answer

    return app
