"""How the API is called, decided once for every target: the client's credential arguments and
the names each resource gives its methods and constants. The client defines them; the docs,
their examples and their curl commands speak of them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from chatforge import naming, reserved
from chatforge.ir.model import Credential, Operation, ResourceNames, SecurityScheme
from chatforge.runtime.client._jwt import hs256_token

# The secret an HS256 server token of the docs is shown minted with.
EXAMPLE_SECRET = "api-secret"


def _credential(
    scheme: SecurityScheme, prefix: str, optional: bool, taken: set[str] | None = None
) -> Credential:
    """What one scheme adds; its arguments take names `taken` does not hold, when given."""

    def name(base: str) -> str:
        wanted = naming.identifier(f"{prefix}{base}")
        return wanted if taken is None else reserved.unique(wanted, taken)

    if scheme.kind == "signature" and scheme.signature is not None:
        key, secret = name("app_key"), name("app_secret")
        return Credential(scheme.name, (key, secret), optional, (key, secret))
    if scheme.kind == "jwt" and scheme.jwt is not None:
        secret, token = name("api_secret"), name("token")
        example = None
        if scheme.jwt.algorithm == "HS256":
            example = hs256_token(json.loads(scheme.jwt.server_claims_json), EXAMPLE_SECRET)
        return Credential(scheme.name, (secret, token), optional, (secret,), None, example)
    if scheme.kind == "fixed":
        return Credential(scheme.name, (), optional)
    base = {"bearer": "token", "api_key": "api_key", "basic": "password"}[scheme.kind]
    arg = name(base)
    if scheme.kind == "api_key" and scheme.location == "query":
        return Credential(scheme.name, (arg,), optional, (arg,), (scheme.param, arg))
    shown = ("username", arg) if scheme.kind == "basic" else (arg,)
    return Credential(scheme.name, (arg,), optional, shown)


def credentials(security: Sequence[SecurityScheme], security_all: bool) -> tuple[Credential, ...]:
    """What the Client takes for each security scheme. Schemes required together take plain
    arguments; alternative schemes take optional ones, prefixed with the scheme's name when
    two would clash, and the client applies those it is given."""
    optional = len(security) > 1 and not security_all
    plain = [_credential(s, f"{s.name}_" if optional else "", optional) for s in security]
    names = [arg for credential in plain for arg in credential.arguments]
    prefixed = optional or len(set(names)) != len(names)
    taken = set(reserved.CLIENT_ARGUMENTS)
    return tuple(
        _credential(s, f"{s.name}_" if prefixed else "", optional, taken) for s in security
    )


# Verbs a method fetching a file starts with, which its download method replaces.
_FETCHING = ("get_", "fetch_", "retrieve_", "read_", "download_")


def _download_name(method: str, taken: set[str]) -> str:
    """The download method of a method that answers with a file: `download_<what>`
    (`get_message_file` -> `download_message_file`), else `save_<what>` (`download_file` ->
    `save_file`), else `<method>_to_file`, numbered where taken; added to `taken`."""
    rest = next((method[len(v) :] for v in _FETCHING if method.startswith(v)), method)
    for candidate in (f"download_{rest}", f"save_{rest}") if rest else ():
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    return reserved.unique(f"{method}_to_file", taken)


def resource_names(operations: Sequence[Operation]) -> ResourceNames:
    """The names one resource module gives its methods and constants, given in one pass so
    that none takes another's: the method of each function, then the download method of a
    binary answer and `iter_<method>` of a paged one; the endpoint constant of each path an
    operation is called at, then the paging constant of each paged operation. A name already
    given is numbered (`get_file_to_file_2`)."""
    methods: set[str] = set()
    constants: set[str] = set()
    named: dict[tuple[str, int], str] = {}
    to_files: dict[tuple[str, int], str] = {}
    iterators: dict[tuple[str, int], str] = {}
    endpoints: dict[tuple[str, str], str] = {}
    pagings: dict[str, str] = {}
    for op in operations:
        const = f"_{op.py.upper()}"
        for index, function in enumerate(op.functions):
            named[op.pointer, index] = reserved.unique(function.method, methods)
            path, name = op.path, const
            if function.path and function.path != op.path:
                path, name = function.path, f"{const}__{function.method.upper()}"
            if (op.pointer, path) not in endpoints:
                endpoints[op.pointer, path] = reserved.unique(name, constants)
    for op in operations:
        for index in range(len(op.functions)):
            own = named[op.pointer, index]
            if op.success.kind == "binary":
                to_files[op.pointer, index] = _download_name(own, methods)
            if op.pagination is not None:
                iterators[op.pointer, index] = reserved.unique(f"iter_{own}", methods)
        if op.pagination is not None:
            pagings[op.pointer] = reserved.unique(f"_{op.py.upper()}_PAGING", constants)
    return ResourceNames(
        tuple(named.items()),
        tuple(to_files.items()),
        tuple(iterators.items()),
        tuple(endpoints.items()),
        tuple(pagings.items()),
    )
