"""The `chatforge` command: parse flags, run the pipeline, print diagnostics, set the exit code."""

from __future__ import annotations

import atexit
import errno
import functools
import hmac
import importlib
import inspect
import json
import math
import os
import shlex
import shutil
import socket
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chatforge import __version__
from chatforge.config import TARGETS, Config, Target, load_config
from chatforge.diagnostics import Diagnostic, Level, SpecError
from chatforge.output import writer
from chatforge.output.formatting import FormatError
from chatforge.run import pipeline
from chatforge.run.batch import Outcome, OverviewRequest, Runner, cpu_count
from chatforge.run.cache import Cache

if TYPE_CHECKING:
    from chatforge.ir.model import Api

F = TypeVar("F", bound=Callable[..., Any])


def _say(message: str) -> None:
    click.echo(message, err=True)


def guarded(func: F) -> F:
    """No traceback reaches the user: known failures print a message, anything else one line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except pipeline.UsageError as exc:
            _say(f"chatforge: {exc}")
            sys.exit(2)
        except SpecError as exc:  # found while rendering: still the spec's problem
            _print(exc.diagnostics)
            _say("chatforge: the spec cannot be generated; nothing written")
            sys.exit(1)
        except FormatError as exc:
            _say(f"chatforge: formatting failed: {exc}")
            sys.exit(1)
        except BrokenPipeError:
            raise  # the reader left (`chatforge list | head`): click ends quietly
        except OSError as exc:
            _say(f"chatforge: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
            sys.exit(1)
        except KeyboardInterrupt:
            _say("chatforge: interrupted; the output folder is unchanged")
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            _say(f"chatforge: internal error: {type(exc).__name__}: {exc}")
            _say("chatforge: this is a bug in chatforge; the output folder is unchanged")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _config(
    specs: str | None,
    out: str | None = None,
    *,
    use_cache: bool = True,
    ref_root: str | None = None,
    **flags: Any,
) -> Config:
    config = load_config()
    config = config.with_flags(
        specs=Path(specs).absolute() if specs else None,
        out=Path(out).absolute() if out else None,
        ref_root=Path(ref_root).absolute() if ref_root else None,
        **flags,
    )
    return config if use_cache else replace(config, cache=None)


def _runner(config: Config) -> Runner:
    cache = Cache(config.cache) if config.cache is not None else None
    if cache is not None and cache.refused and not config.quiet:
        _say(f"chatforge: not using the cache: {cache.refused}")
    return Runner(cache, config.jobs or cpu_count(), None if config.quiet else _say)


def _print(diagnostics: Sequence[Diagnostic]) -> None:
    for item in sorted(set(diagnostics)):
        click.echo(item.render(), err=True)


@dataclass(frozen=True)
class Report:
    """What a command prints of a run besides its errors: every warning, only their count by
    rule, or none; and with `verbose`, what reading changed in each spec."""

    warnings: str = "all"
    verbose: bool = False


# The name warnings go under in the summary when no lint rule found them: what the generator
# leaves out or chooses, found while building the model of the API.
_GENERATION = "generation"


def _by_rule(warnings: Sequence[Diagnostic]) -> str:
    """Warnings counted per rule, most first (then by name): "responses 12, examples 2"."""
    counts: dict[str, int] = {}
    for item in warnings:
        counts[item.rule or _GENERATION] = counts.get(item.rule or _GENERATION, 0) + 1
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return ", ".join(f"{rule} {count}" for rule, count in ordered)


def _notes(outcome: Outcome, report: Report, quiet: bool) -> None:
    """What reading a spec changed: every change with --verbose, else a count of each kind."""
    if not outcome.notes:
        return
    if report.verbose:
        _print(outcome.notes)
        return
    if quiet:
        return
    counts: dict[str, int] = {}
    for note in outcome.notes:
        kind = note.message.split(":", 1)[0]
        counts[kind] = counts.get(kind, 0) + 1
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))
    _say(
        f"chatforge: {outcome.source.slug}: read as OpenAPI 3.0 and normalised to 3.1 "
        f"({len(outcome.notes)} changes: {kinds}); --verbose lists each"
    )


def _warnings_of(outcomes: Sequence[Outcome]) -> list[Diagnostic]:
    return [d for o in outcomes for d in (*o.diagnostics, *o.warnings) if d.level is Level.WARNING]


def _checked(
    runner: Runner,
    config: Config,
    apis: Sequence[str],
    targets: tuple[Target, ...] | None = None,
    overview: tuple[Target, ...] | None = None,
    report: Report = Report(),
) -> list[Outcome]:
    """Load, validate, lint and build each spec (and render it, given targets); print every
    diagnostic, then the warnings of building (as `report` asks); exit 1 on any error. Given
    overview targets, the overview for them is made alongside, for `_overview`."""
    request = OverviewRequest(config.specs, overview) if overview is not None else None
    outcomes = runner.run(pipeline.find_specs(config, apis), targets, request)
    for outcome in outcomes:
        _notes(outcome, report, config.quiet)
    shown = report.warnings == "all"
    _print(
        [
            d
            for outcome in outcomes
            for d in outcome.diagnostics
            if shown or d.level is not Level.WARNING
        ]
    )
    failed = [o.source.slug for o in outcomes if not o.ok]
    if failed:
        _summary(outcomes, report, config.quiet)
        _say(f"chatforge: {len(failed)} spec(s) with errors: {', '.join(failed)}; nothing written")
        sys.exit(1)
    for outcome in outcomes:
        if outcome.warnings and shown:
            _print(outcome.warnings)
    _summary(outcomes, report, config.quiet)
    return outcomes


def _summary(outcomes: Sequence[Outcome], report: Report, quiet: bool) -> None:
    """The warnings counted by rule: always when only the count is asked for, and after the
    warnings themselves unless the command is quiet."""
    warnings = _warnings_of(outcomes)
    if not warnings or report.warnings == "none" or (quiet and report.warnings == "all"):
        return
    _say(f"chatforge: {len(warnings)} warning(s) by rule: {_by_rule(warnings)}")


def _overview(
    runner: Runner, config: Config, outcomes: Sequence[Outcome], targets: tuple[Target, ...]
) -> tuple[dict[str, str], list[str]]:
    """The pages about every API at once; a comparison at odds with the specs exits 1."""
    try:
        return runner.overview(config.specs, outcomes, targets)
    except SpecError as exc:
        _print(exc.diagnostics)
        _say("chatforge: the comparison does not agree with the specs; nothing written")
        sys.exit(1)


specs_option = click.option(
    "--specs",
    metavar="DIR",
    help="Folder of specs (default: [tool.chatforge] specs of the project, else the curated ones).",
)
cache_option = click.option(
    "--no-cache",
    "no_cache",
    is_flag=True,
    help="Do everything again and leave the cache alone "
    "(default: reuse what an unchanged spec gave last time, from the user's cache folder).",
)
warnings_option = click.option(
    "--warnings",
    "warnings_mode",
    type=click.Choice(("all", "summary", "none")),
    default="all",
    show_default=True,
    help="Print every warning (then their count by rule), only their count by rule, or none.",
)
verbose_option = click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also list each change reading made (an OpenAPI 3.0 document's normalisation to 3.1).",
)
ref_root_option = click.option(
    "--ref-root",
    "ref_root",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Let the $refs of a spec split over files reach files under DIR, a folder holding the "
    "spec (default: the spec's own folder and below).",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1),
    default=None,
    help="Worker processes for specs that need work [default: one per CPU].",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chatforge")
def main() -> None:
    """Validate chat platform OpenAPI specs and generate models, clients, servers and docs."""
    # What the libraries used say through Python's warnings is theirs, not the user's: the
    # problems of a spec reach the user as diagnostics.
    warnings.simplefilter("ignore")


@main.command()
@click.argument("apis", nargs=-1)
@specs_option
@cache_option
@jobs_option
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@warnings_option
@verbose_option
@ref_root_option
@guarded
def validate(
    apis: tuple[str, ...],
    specs: str | None,
    no_cache: bool,
    jobs: int | None,
    quiet: bool,
    warnings_mode: str,
    verbose: bool,
    ref_root: str | None,
) -> None:
    """Check specs with openapi-spec-validator and the project's lint rules.

    APIS are slugs (upstra, stream, ...) or paths of spec files; none means every spec.
    Problems print as FILE:LINE:COL: LEVEL: MESSAGE (JSON POINTER); any error exits 1.
    """
    config = _config(specs, quiet=quiet, jobs=jobs, use_cache=not no_cache, ref_root=ref_root)
    runner = _runner(config)
    report = Report(warnings_mode, verbose)
    results = _checked(runner, config, apis, overview=None if apis else ("docs",), report=report)
    if not apis:
        _overview(runner, config, results, ("docs",))
    warnings = len(_warnings_of(results))
    if not quiet:
        _say(f"chatforge: {len(results)} spec(s) valid, {warnings} warning(s)")


@main.command()
@click.argument("apis", nargs=-1)
@specs_option
@click.option("--out", metavar="DIR", help="Output folder (default: generated/ of the project).")
@click.option(
    "--target",
    "targets",
    multiple=True,
    type=click.Choice(TARGETS),
    help="Render only these targets (repeatable; default: all four).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 with a diff when the output is not current.",
)
@cache_option
@jobs_option
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@warnings_option
@verbose_option
@ref_root_option
@guarded
def generate(
    apis: tuple[str, ...],
    specs: str | None,
    out: str | None,
    targets: tuple[Target, ...],
    check: bool,
    no_cache: bool,
    jobs: int | None,
    quiet: bool,
    warnings_mode: str,
    verbose: bool,
    ref_root: str | None,
) -> None:
    """Render specs into models, clients, servers and docs.

    Everything renders in memory first; the output folder is then replaced in one atomic step,
    so a failure leaves the previous output whole, and a folder that is already current is not
    touched. Specs run side by side in worker processes; a spec unchanged since the last run,
    with the same chatforge and tools, is taken from the cache.
    """
    config = _config(
        specs,
        out,
        targets=tuple(dict.fromkeys(targets)),
        check=check,
        quiet=quiet,
        jobs=jobs,
        use_cache=not no_cache,
        ref_root=ref_root,
    )
    runner = _runner(config)
    outcomes = _checked(
        runner,
        config,
        apis,
        config.targets,
        None if apis else config.targets,
        Report(warnings_mode, verbose),
    )
    files: dict[str, str] = {}
    owned: list[str] = []
    for outcome in outcomes:
        if outcome.failure is not None:
            raise outcome.failure
        assert outcome.files is not None
        files.update(outcome.files)
        owned.extend(pipeline.owned_paths(outcome.source.slug, config.targets))
    if not apis:
        overview, folders = _overview(runner, config, outcomes, config.targets)
        files.update(overview)
        owned.extend(folders)
    shown = os.path.relpath(config.out) if config.out.is_relative_to(Path.cwd()) else config.out
    if config.check:
        lines = writer.diff(config.out, files, owned)
        if lines:
            sys.stdout.writelines(lines)
            again = _command(
                "generate",
                *_flag("--specs", specs),
                *_flag("--out", out),
                *(part for target in dict.fromkeys(targets) for part in ("--target", target)),
                *(("--", *apis) if any(api.startswith("-") for api in apis) else apis),
            )
            _say(f"chatforge: {shown} is stale; regenerate with: {again}")
            sys.exit(1)
        if not quiet:
            _say(f"chatforge: {shown} is current ({len(files)} files)")
        return
    changed = writer.write(config.out, files, owned)
    if quiet:
        return
    if changed:
        _say(f"chatforge: wrote {len(files)} files for {len(outcomes)} API(s) to {shown}")
    else:
        _say(f"chatforge: {shown} is current ({len(files)} files); nothing written")


def _flag(name: str, value: str | None) -> tuple[str, ...]:
    return (name, value) if value is not None else ()


def _command(*arguments: str) -> str:
    """A chatforge command line, quoted for a POSIX shell."""
    return shlex.join(["chatforge", *arguments])


def describe(api: Api, config: Config, spec: str) -> dict[str, Any]:
    """The stable JSON form of one API for `chatforge list --json`."""
    base = config.out / api.slug

    def where(target: str) -> str:
        path = base / target
        try:
            return os.path.relpath(path, config.root)
        except ValueError:
            return str(path)

    return {
        "slug": api.slug,
        "title": api.title,
        "spec": spec,
        "operations": len(api.operations),
        "functions": {
            "covered": len(api.covered_rows) if api.source_functions else None,
            "documented": api.source_functions,
            "source": api.source_document,
        },
        "targets": {
            "models": {"path": where("models"), "import": api.models_package},
            "client": {
                "path": where("client"),
                "import": api.client_package,
                "example": f"Client({api.example_credentials})",
            },
            "server": {"path": where("server"), "import": f"{api.server_package}.app:create_app"},
            "docs": {"path": where("docs"), "index": f"{where('docs')}/index.md"},
        },
    }


@main.command(name="list")
@specs_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (stable, for other tools).")
@guarded
def list_(specs: str | None, as_json: bool) -> None:
    """Show each API: its spec, operations, coverage of its source document and its outputs."""
    config = _config(specs, quiet=True)
    results = _checked(_runner(config), config, ())
    entries = []
    for result in results:
        spec = os.path.relpath(result.source.path, config.root)
        entries.append(describe(result.api, config, spec))
    if as_json:
        click.echo(json.dumps({"apis": entries}, indent=2, sort_keys=True))
        return
    for entry in entries:
        fn = entry["functions"]
        coverage = (
            f"{fn['covered']} of {fn['documented']} documented functions"
            if fn["documented"]
            else "no source document"
        )
        click.echo(f"{entry['slug']}: {entry['title']}")
        click.echo(f"  spec        {entry['spec']} ({entry['operations']} operations, {coverage})")
        for target, info in entry["targets"].items():
            extra = f"  import {info['import']}" if "import" in info else ""
            click.echo(f"  {target:<11} {info['path']}{extra}")


def _seconds(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A deadline in seconds: a finite number above 0, at most a day."""
    if value is not None and not (math.isfinite(value) and 0 < value <= 86400):
        raise click.BadParameter(f"{value} is not a number of seconds above 0 and at most 86400")
    return value


@main.command()
@click.argument("api")
@specs_option
@click.option(
    "--out",
    metavar="DIR",
    help="Output folder the server was generated into (default: generated/ of the project; "
    "without a generated server there, one is rendered for this run).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--mock", is_flag=True, help="Answer every operation with an example response instead of 501."
)
@click.option(
    "--docs/--no-docs",
    default=None,
    help="Serve the spec at /openapi.json and an explorer of it at /docs [default: with --mock].",
)
@click.option(
    "--key",
    envvar="CHATFORGE_KEY",
    metavar="KEY",
    help="App key (signed headers) or API key (tokens) that requests must carry "
    "[env: CHATFORGE_KEY].",
)
@click.option(
    "--secret",
    envvar="CHATFORGE_SECRET",
    metavar="SECRET",
    help="The secret that signs requests or tokens [env: CHATFORGE_SECRET].",
)
@click.option(
    "--token",
    envvar="CHATFORGE_TOKEN",
    metavar="TOKEN",
    help="The bearer token requests must carry [env: CHATFORGE_TOKEN].",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(0),
    default=None,
    help="Refuse larger request bodies with 413 [default: the server's, 16 MiB].",
)
@click.option(
    "--max-connections",
    type=click.IntRange(1),
    default=None,
    help="Connections open at once; past it the one idle longest is closed, or a new one "
    "answered 503 [default: the server's, 512].",
)
@click.option(
    "--max-per-address",
    type=click.IntRange(1),
    default=None,
    help="Connections open at once from one client address [default: no cap].",
)
@click.option(
    "--timeout-idle",
    type=float,
    callback=_seconds,
    default=None,
    metavar="SECONDS",
    help="Close a connection that sends no request for this long [default: 5].",
)
@click.option(
    "--timeout-headers",
    type=float,
    callback=_seconds,
    default=None,
    metavar="SECONDS",
    help="Answer 408 to a request whose headers take longer [default: 10].",
)
@click.option(
    "--timeout-body",
    type=float,
    callback=_seconds,
    default=None,
    metavar="SECONDS",
    help="Answer 408 to a request whose body takes longer [default: 60].",
)
@click.option(
    "--timeout-write",
    type=float,
    callback=_seconds,
    default=None,
    metavar="SECONDS",
    help="Cut off a client that reads nothing of its answer for this long [default: 60].",
)
@ref_root_option
@guarded
def serve(
    api: str,
    specs: str | None,
    out: str | None,
    host: str,
    port: int,
    mock: bool,
    docs: bool | None,
    key: str | None,
    secret: str | None,
    token: str | None,
    max_body_bytes: int | None,
    max_connections: int | None,
    max_per_address: int | None,
    timeout_idle: float | None,
    timeout_headers: float | None,
    timeout_body: float | None,
    timeout_write: float | None,
    ref_root: str | None,
) -> None:
    """Run the generated server of API with uvicorn.

    With credentials, every request is checked as the vendor checks it: signed headers or
    tokens with --key and --secret, bearer tokens with --token. Without, none are checked.
    Clients that send too slowly, or nothing, are cut off (see the --timeout options).
    A port already in use exits 2."""
    config = _config(specs, out, quiet=True, ref_root=ref_root)
    outcome = _checked(_runner(config), config, (api,), ("server",))[0]
    built = outcome.api
    folder = config.out / built.slug / "server"
    if not (folder / built.server_package).is_dir():
        if out is not None:
            raise pipeline.UsageError(
                f"no generated server at {folder}; run: chatforge generate {built.slug} "
                f"--target server --out {out}"
            )
        folder = _server_for_this_run(outcome)
    sys.path.insert(0, str(folder))
    module = importlib.import_module(f"{built.server_package}.app")
    security = importlib.import_module(f"{built.server_package}.security")
    try:
        serving = importlib.import_module(f"{built.server_package}.serving")
    except ModuleNotFoundError as exc:
        if exc.name != f"{built.server_package}.serving":
            raise
        raise pipeline.UsageError(
            f"the server at {folder} is out of date; run: chatforge generate {built.slug}"
        ) from None
    options: dict[str, Any] = {"mock": mock, "auth": _auth(security, key, secret, token)}
    if max_body_bytes is not None:
        options["max_body_bytes"] = max_body_bytes
    explorer = mock if docs is None else docs
    if explorer:
        if "docs" not in inspect.signature(module.create_app).parameters:
            raise pipeline.UsageError(
                f"the server at {folder} is out of date; run: chatforge generate {built.slug}"
            )
        options["docs"] = True
    try:
        app = module.create_app(**options)
    except RuntimeError as exc:  # the explorer's package is missing
        raise pipeline.UsageError(str(exc)) from None
    _listenable(host, port)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    checked = "credentials checked" if options["auth"] else "credentials not checked"
    where = url if port else f"{host}, on a port the system chooses"
    _say(f"chatforge: serving {built.slug} {'(mock) ' if mock else ''}on {where} ({checked})")
    if explorer and port:
        _say(f"chatforge: explore it at {url}/docs; the spec is at {url}/openapi.json")
    given = {
        "max_connections": max_connections,
        "max_per_address": max_per_address,
        "idle_timeout": timeout_idle,
        "headers_timeout": timeout_headers,
        "body_timeout": timeout_body,
        "write_timeout": timeout_write,
    }
    limits = serving.Limits(**{name: value for name, value in given.items() if value is not None})
    serving.serve(app, host=host, port=port, limits=limits, log_level="info", server_header=False)


def _listenable(host: str, port: int) -> None:
    """Exit 2 with a message when the server could not listen on host and port, bound as
    uvicorn binds them: before anything announces that it serves."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except socket.gaierror as exc:
            raise pipeline.UsageError(f"cannot listen on {host!r}: {exc.strerror}") from None
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = f"port {port} on {host} is in use; choose another with --port"
            else:
                message = f"cannot listen on {host} port {port}: {exc.strerror or exc}"
            raise pipeline.UsageError(message) from None


def _server_for_this_run(outcome: Outcome) -> Path:
    """The server rendered into a temporary folder that goes when the command ends, for an API
    that has no generated server in the output folder (a curated spec served from anywhere)."""
    if outcome.failure is not None:
        raise outcome.failure
    assert outcome.files is not None
    base = Path(tempfile.mkdtemp(prefix="chatforge-serve-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    slug = outcome.source.slug
    writer.write(base, outcome.files, pipeline.owned_paths(slug, ("server",)))
    return base / slug / "server"


def _auth(security: Any, key: str | None, secret: str | None, token: str | None) -> Any:
    """The security module's check for the credentials given, or None when none are."""
    if key is None and secret is None and token is None:
        return None
    if token is not None and hasattr(security, "bearer_check"):
        expected = token.encode()
        return security.bearer_check(lambda given: hmac.compare_digest(given.encode(), expected))
    if key is None or secret is None:
        raise pipeline.UsageError("give both --key and --secret, or --token")
    if hasattr(security, "signature_check"):
        return security.signature_check({key: secret})
    if hasattr(security, "jwt_check"):
        return security.jwt_check(key, secret)
    raise pipeline.UsageError("this API checks bearer tokens: give --token")


if __name__ == "__main__":
    main()
