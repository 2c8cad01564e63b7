"""The quick start (`quickstart.md`): install or vendor the client, start the mock server
and make a first call."""

from __future__ import annotations

from dataclasses import dataclass

from chatforge.ir.model import (
    Api,
    Operation,
    Tag,
)
from chatforge.targets.docs.examples import example_args, example_call
from chatforge.targets.docs.places import EXPLORER, INDEX, Names
from chatforge.targets.docs.view import MOCK_URL, CodeBlock, code_block
from chatforge.targets.text import (
    code,
    md_link,
)


@dataclass(frozen=True)
class Step:
    title: str
    text_md: str
    blocks: tuple[CodeBlock, ...]
    after_md: str = ""


@dataclass(frozen=True)
class QuickstartPage:
    title: str
    intro_md: str
    steps: tuple[Step, ...]


# The credentials the quick start gives the mock server, and the client, by scheme kind.
GOOD = {
    "app_key": "app-key",
    "app_secret": "app-secret",
    "api_secret": "api-secret",
    "token": "test-token",
    "api_key": "api-key",
    "username": "user",
    "password": "password",
}


def _credentials(api: Api) -> tuple[list[str], list[tuple[str, str]], str | None]:
    """(the `chatforge serve` options, the client's credential arguments, the argument a
    wrong value of which the mock refuses), for the schemes the mock server can check."""
    auths = api.credentials
    kinds = {scheme.kind for scheme in api.security}
    args: list[tuple[str, str]] = []
    for auth in auths:
        for name in auth.shown:
            base = next((k for k in GOOD if name.endswith(k)), "token")
            args.append((name, GOOD[base]))
    options: list[str] = []
    wrong: str | None = None
    signed = [(a, v) for a, v in args if a.endswith(("app_key", "api_key"))]
    secret = [a for a, _ in args if a.endswith(("app_secret", "api_secret"))]
    if kinds & {"signature", "jwt"} and secret:
        key = signed[0][1] if signed else "api-key"
        options = ["--key", key, "--secret", GOOD["api_secret" if "jwt" in kinds else "app_secret"]]
        wrong = secret[0]
        if "jwt" in kinds and not signed:
            options[1] = "api-key"
    elif "bearer" in kinds:
        bearer = [a for a, _ in args if a.endswith("token")]
        if bearer:
            options, wrong = ["--token", GOOD["token"]], bearer[0]
    return options, args, wrong


def first_call(api: Api) -> tuple[Tag, Operation] | None:
    """The call a quick start makes first: a JSON-answering operation with the fewest
    arguments, reads before writes, earliest in the spec."""
    found = [
        (index, tag, op)
        for index, (tag, op) in enumerate((t, o) for t in api.tags for o in t.operations)
        if op.success.kind == "json" and not op.deprecated
    ]
    if not found:
        return None
    _, tag, op = min(
        found,
        key=lambda item: (
            len(example_args(item[2], item[2].functions[0])),
            item[2].method != "GET",
            item[0],
        ),
    )
    return tag, op


def _first_call(api: Api, where: Names) -> tuple[CodeBlock, str, str]:
    """(the block of the first call, that call's lines for the error example, what the call
    is, in Markdown)."""
    call = first_call(api)
    if call is None:
        return code_block("print(client)"), "    ...", "any operation:"
    tag, op = call
    imports, lines = example_call(tag, op, op.functions[0])
    first = code_block("\n".join([*imports, *lines, "print(result)"]))
    bad_call = "\n".join(f"    {line}" for line in lines).replace("result = ", "")
    about = (
        f"{md_link(op.summary or op.operation_id, where.operation_link(op))}, "
        f"{code(f'{op.method} {op.path}')}:"
    )
    return first, bad_call, about


def _handling(
    package: str, args: list[tuple[str, str]], wrong: str | None, bad_call: str
) -> CodeBlock:
    """The error example: the first call with a wrong credential, where the mock checks one."""
    error_class = "AuthenticationError" if wrong else "APIStatusError"
    bad_args = ", ".join(
        f'{name}="wrong"' if name == wrong else f'{name}="{value}"' for name, value in args
    )
    bad_made = f"{bad_args}, " if bad_args else ""
    return code_block(
        "\n".join(
            [
                f"from {package} import APIConnectionError, APIStatusError, {error_class}"
                if error_class != "APIStatusError"
                else f"from {package} import APIConnectionError, APIStatusError",
                "",
                f'with Client({bad_made}base_url="{MOCK_URL}") as bad:',
                "    try:",
                bad_call.replace("\n", "\n    ").replace("    client.", "        bad.", 1)
                if bad_call.strip() != "..."
                else "        ...",
                f"    except {error_class} as error:",
                "        print(error.status_code, error.code, error.message)",
                "    except APIStatusError as error:  # any other error status",
                "        print(error.status_code, error.body)",
                "    except APIConnectionError:  # no answer: host down, timeout",
                "        raise",
            ]
        )
    )


def _steps(api: Api, where: Names) -> tuple[Step, ...]:
    package = api.client_package
    options, args, wrong = _credentials(api)
    creds = ", ".join(f'{name}="{value}"' for name, value in args)
    made = f"{creds}, " if creds else ""
    serve = " ".join(["chatforge serve", api.slug, "--mock", *options])
    first, bad_call, about = _first_call(api, where)
    handle = _handling(package, args, wrong, bad_call)
    folder = f"generated/{api.slug}/client"
    return (
        Step(
            "Install or vendor the client",
            f"The client is one folder, {code(f'{folder}/{package}/')} in the repository, that "
            "needs only httpx and pydantic. Copy it into your project, or put its parent on "
            f"{code('sys.path')}; `chatforge generate {api.slug} --target client --out DIR` "
            "writes it anywhere else.",
            (
                code_block(
                    f"pip install httpx pydantic\ncp -r {folder}/{package} your_project/", "sh"
                ),
            ),
        ),
        Step(
            "Start the mock server",
            "To try the calls without an account, run the generated server in mock mode on "
            "your machine. It answers every operation with the spec's examples"
            + (", and checks the credentials as the vendor does:" if options else ":"),
            (code_block(serve, "sh"),),
            "Leave it out and use the vendor's host (the default) once you have credentials.",
        ),
        Step(
            "Make a client",
            "One client serves every call; close it when done (or use `with`). "
            "`AsyncClient` takes the same arguments.",
            (
                code_block(
                    f'from {package} import Client\n\nclient = Client({made}base_url="{MOCK_URL}")'
                ),
            ),
        ),
        Step("Make a first call", f"Call {about}", (first,)),
        Step(
            "Handle an error",
            "Every error status raises a subclass of `APIStatusError`, which carries the "
            "status, the vendor's code and message and the raw body"
            + (
                "; here the mock refuses a wrong credential:"
                if wrong
                else "; catch the one you expect first:"
            ),
            (handle,),
            f"Done with the client: `client.close()`. Next: the {md_link('reference', INDEX)}, or "
            f"the {md_link('explorer', EXPLORER)} to send requests from the browser.",
        ),
    )


def quickstart_page(api: Api, where: Names) -> QuickstartPage:
    return QuickstartPage(
        title=f"Quick start: {api.title}",
        intro_md="From nothing to a first call and a handled error in five steps. Every "
        "code block on this page runs as it is against the mock server (the docs tests run "
        "them).",
        steps=_steps(api, where),
    )
