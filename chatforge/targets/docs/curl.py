"""The curl example of each documented function: the request the generated client would send for
the docs' example arguments, with its credentials computed in the shell where the scheme allows.

Every argument is quoted with `shlex.quote`, so text from a spec can never break out of it."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from chatforge.ir.model import Api, Credential, Field, Function, Location, Operation, SecurityScheme
from chatforge.targets.text import code, md

# The shell variables holding credentials, by what the client argument is called.
_VARIABLES = {"app_key": "APP_KEY", "app_secret": "APP_SECRET", "api_key": "API_KEY"}


@dataclass(frozen=True)
class Curl:
    text: str  # the shell lines
    notes: tuple[str, ...]  # how the computed headers are made, as Markdown sentences


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _pairs(field: Field, value: Any) -> list[tuple[str, str]]:
    """The name=value pairs one form or query value travels as, by its style."""
    if field.style == "json":
        return [(field.wire, json.dumps(value, ensure_ascii=False, separators=(",", ":")))]
    if field.style == "csv" and isinstance(value, list):
        return [(field.wire, ",".join(_scalar(v) for v in value))]
    if field.style == "csv" and isinstance(value, dict):
        members = (f"{k},{_scalar(v)}" for k, v in value.items() if v is not None)
        return [(field.wire, ",".join(members))]
    if field.style == "deepObject" and isinstance(value, dict):
        return [(f"{field.wire}[{k}]", _scalar(v)) for k, v in value.items()]
    if field.style == "deepObject" and isinstance(value, list):
        return [(f"{field.wire}[{i}]", _scalar(v)) for i, v in enumerate(value)]
    if isinstance(value, list):
        return [(field.wire, _scalar(v)) for v in value]
    return [(field.wire, _scalar(value))]


def _dq(text: str) -> str:
    """Spec text made literal inside a double-quoted shell word."""
    return "".join("\\" + c if c in '"\\`$' else c for c in text)


def _variable(argument: str) -> str:
    return _VARIABLES.get(argument, argument.upper())


def _credentials(
    scheme: SecurityScheme, auth: Credential
) -> tuple[list[str], list[str], list[tuple[str, str]], list[str]]:
    """(shell lines before curl, headers, query pairs, notes) for one scheme."""
    if scheme.kind == "signature" and scheme.signature is not None:
        sig = scheme.signature
        key, secret = (_variable(arg) for arg in auth.arguments[:2])
        stamp = "$(date +%s%3N)" if sig.milliseconds else "$(date +%s)"
        parts = {"secret": f"${secret}", "nonce": "$NONCE", "timestamp": "$TIMESTAMP"}
        signed = "".join(parts[p] for p in sig.signed)
        algorithm = sig.algorithm.lower()
        prelude = [
            "NONCE=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \\n')",
            f"TIMESTAMP={stamp}",
            f'SIGNATURE=$(printf %s "{signed}" | {algorithm}sum | cut -d" " -f1)',
        ]
        headers = [
            f"{_dq(sig.app_key_header)}: ${key}",
            f"{_dq(sig.nonce_header)}: $NONCE",
            f"{_dq(sig.timestamp_header)}: $TIMESTAMP",
            f"{_dq(scheme.param)}: $SIGNATURE",
        ]
        unit = "milliseconds" if sig.milliseconds else "seconds"
        notes = [
            f"{code(sig.nonce_header)} is a fresh random string, {code(sig.timestamp_header)} "
            f"the Unix time in {unit}, and {code(scheme.param)} the lowercase hex "
            f"{md(sig.algorithm.upper())} of {md(' + '.join(sig.signed))}, computed in the "
            f"first lines from `${secret}`.",
        ]
        return prelude, headers, [], notes
    if scheme.kind == "jwt" and scheme.jwt is not None:
        prefix = f"{scheme.jwt.prefix} " if scheme.jwt.prefix else ""
        headers = [f"{_dq(scheme.param)}: {_dq(prefix)}$TOKEN"]
        query = []
        if auth.query is not None:
            query.append((auth.query[0], f"${_variable(auth.query[1])}"))
        note = (
            f"`$TOKEN` is a server token: a {md(scheme.jwt.algorithm)} JSON Web Token with the "
            f"claims {code(scheme.jwt.server_claims_json)}, signed with the API secret "
            "(see [Authentication](index.md#authentication))."
        )
        return [], headers, query, [note]
    if scheme.kind == "bearer":
        return [], ["Authorization: Bearer $TOKEN"], [], []
    if scheme.kind == "api_key":
        value = f"${_variable(auth.arg)}"
        if scheme.location == "query":
            return [], [], [(scheme.param, value)], []
        return [], [f"{_dq(scheme.param)}: {value}"], [], []
    if scheme.kind == "fixed":
        return [], [_dq(f"{scheme.param}: {scheme.value or ''}")], [], []
    return [], [], [], []


def _shell_url(url: str, variables: str) -> str:
    """The URL in double quotes, its spec text escaped, then `variables`, query pairs of
    credentials (`api_key=$API_KEY`), left to expand."""
    return f'"{_dq(url)}{variables}"'


def _urlencoded(name: str, value: str) -> str:
    """One form or query pair as curl encodes it: `--data-urlencode name=value`, readable; where
    the name has a `=` or `@` (which curl would read as the end of the name, or as a file to
    send), the pair encoded here and sent as it is."""
    if "=" in name or "@" in name:
        return f"--data-raw {shlex.quote(urlencode([(name, value)]))}"
    return f"--data-urlencode {shlex.quote(f'{name}={value}')}"


def _body_args(
    kind: str | None, body: list[Field], values: Mapping[tuple[Location, str], Any]
) -> list[str]:
    """The curl arguments carrying the body's fields, in the body's media type."""
    args: list[str] = []
    if kind == "json":
        document = {f.wire: values[(f.location, f.wire)] for f in body}
        args.append(f"-H {shlex.quote('Content-Type: application/json')}")
        args.append(f"-d {shlex.quote(json.dumps(document, ensure_ascii=False))}")
    elif kind == "form":
        for f in body:
            for name, value in _pairs(f, values[(f.location, f.wire)]):
                args.append(_urlencoded(name, value))
    elif kind == "multipart":
        for f in body:
            if f.type.is_file:
                args.append(f"-F {shlex.quote(f'{f.wire}=@{f.wire}.bin')}")
            else:
                for name, value in _pairs(f, values[(f.location, f.wire)]):
                    # --form-string: a value starting with `@` or `<` is text, not a file.
                    args.append(f"--form-string {shlex.quote(f'{name}={value}')}")
    return args


def curl_example(api: Api, op: Operation, function: Function, fields: list[Field]) -> Curl:
    """The curl command of `function` called with `fields` (those the Python example passes),
    each at its example value."""
    values = {(f.location, f.wire): json.loads(f.example_json) for f in fields}
    for f in function.body_fields:  # fixed values travel whatever the caller passes
        if f.const_repr is not None:
            values.setdefault((f.location, f.wire), json.loads(f.example_json))
    by_name = dict(zip((s.name for s in api.security), api.credentials, strict=True))
    prelude: list[str] = []
    headers: list[str] = []
    plain_headers: list[str] = []
    cookies: list[str] = []
    query: list[tuple[str, str]] = []
    credential_query: list[tuple[str, str]] = []
    notes: list[str] = []
    for scheme in api.security:
        if scheme.name in op.security:
            lines, more_headers, more_query, more_notes = _credentials(scheme, by_name[scheme.name])
            prelude += lines
            headers += more_headers
            credential_query += more_query
            notes += more_notes
    path = op.path
    for f in op.parameters:
        key = (f.location, f.wire)
        if key not in values:
            continue
        if f.location == "path":
            path = path.replace("{" + f.wire + "}", quote(_scalar(values[key]), safe=""))
        elif f.location == "query":
            query += _pairs(f, values[key])
        elif f.location == "header":
            plain_headers.append(f"{f.wire}: {_scalar(values[key])}")
        elif f.location == "cookie":
            cookies.append(f"{f.wire}={_scalar(values[key])}")
    url = api.default_url.rstrip("/") + path
    body = [f for f in function.body_fields if (f.location, f.wire) in values]
    kind = op.body.kind if op.body is not None else None
    variables = "&".join(f"{quote(k, safe='')}={v}" for k, v in credential_query)
    if kind is None and (query or variables):
        # No body: curl builds the query from readable `-G --data-urlencode` pairs.
        args = [f"-X {op.method}", _shell_url(url, ""), "-G"]
        args += [_urlencoded(k, v) for k, v in query]
        args += [f'--data-urlencode "{_dq(quote(k, safe=""))}={v}"' for k, v in credential_query]
    else:
        literal = urlencode(query)
        url += "?" + literal if literal else ""
        args = [
            f"-X {op.method}",
            _shell_url(url, ("&" if literal else "?") + variables if variables else ""),
        ]
    # Credential headers are ours, in double quotes so their variables expand.
    args += [f'-H "{h}"' for h in headers]
    args += [f"-H {shlex.quote(h)}" for h in plain_headers]
    if cookies:
        args.append(f"-b {shlex.quote('; '.join(cookies))}")
    args += _body_args(kind, body, values)
    if op.body is not None and kind in ("text", "raw"):
        media = op.body.media_type if "*" not in op.body.media_type else "application/octet-stream"
        args.append(f"-H {shlex.quote('Content-Type: ' + media)}")
        if kind == "text":
            text = next((values[(f.location, f.wire)] for f in body), "")
            args.append(f"--data-binary {shlex.quote(str(text))}")
        else:
            args.append("--data-binary @body.bin")
    lines = [*prelude, "curl " + " \\\n  ".join(args)]
    return Curl("\n".join(lines), tuple(notes))
