"""Specs as others write them: OpenAPI 3.0 read natively and normalised to 3.1, specs split over
files bundled into one, references that reach out refused where they are written, and a spec
without `x-chatforge` generated in spite of what only makes its authors' intent less clear.

The fixtures are in `tests/fixtures/anyspec/`: `kennel30.yaml` (each 3.0 form chatforge
rewrites), `split/` (an entry, shared parts, a path item of its own file and a cycle of schemas
across two files), `hostile/` (references to files a spec may not read) and `lenient.yaml`.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chatforge.config import load_config
from chatforge.diagnostics import Diagnostics, Level, SpecError
from chatforge.run import pipeline
from chatforge.spec import loader, validate
from tests.conftest import ROOT, LiveServer
from tests.isolated import imported
from tests.running import COMMAND, chatforge, generated

FIXTURES = ROOT / "tests" / "fixtures" / "anyspec"
KENNEL = FIXTURES / "kennel30.yaml"
LIBRARY = FIXTURES / "split" / "library.yaml"
SHOWN = "tests/fixtures/anyspec"


def lines(stderr: str, level: str) -> list[str]:
    return [line for line in stderr.splitlines() if f": {level}: " in line]


# -- OpenAPI 3.0 ----------------------------------------------------------------------------------


def test_an_openapi_30_spec_is_normalised_to_31_with_a_located_note_per_change() -> None:
    spec = validate.load(KENNEL, f"{SHOWN}/kennel30.yaml")
    assert spec.document["openapi"] == "3.1.0"
    dog = spec.document["components"]["schemas"]["Dog"]["properties"]
    assert dog["nickname"]["type"] == ["string", "null"]
    assert dog["mood"] == {"type": ["string", "null"], "enum": ["calm", "lively", None]}
    assert dog["owner"] == {"anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}]}
    assert dog["vet"]["anyOf"][1] == {"type": "null"}
    assert dog["vet"]["description"] == "The dog's vet, when it has one."
    assert dog["weight"] == {"type": ["number", "null"], "exclusiveMinimum": 0}
    assert dog["name"] == {"type": "string", "examples": ["Rex"]}
    assert dog["chip"]["contentEncoding"] == "base64" and "format" not in dog["chip"]
    owner = spec.document["components"]["schemas"]["Owner"]["properties"]
    assert owner["phone"] == {"type": ["string", "null"]}
    limit = spec.document["paths"]["/dogs"]["get"]["parameters"][0]
    # A parameter's own example is OpenAPI 3.1 as it is; its schema's bounds become numbers.
    assert limit["example"] == 20
    assert limit["schema"] == {"type": "integer", "exclusiveMinimum": 0, "maximum": 100}
    photo = spec.document["paths"]["/dogs/{dog_id}/photo"]
    upload = photo["put"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["photo"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
    }
    download = photo["get"]["responses"]["200"]["content"]["image/png"]["schema"]
    assert download == {"type": "string", "contentMediaType": "image/png"}
    # The result is valid OpenAPI 3.1.
    found = Diagnostics("kennel30.yaml")
    validate.validate_openapi(spec.document, found)
    assert [d.render() for d in found] == []
    notes = {(d.line, d.pointer): d.message for d in spec.notes}
    dogs = "/components/schemas/Dog/properties"
    assert notes[(139, f"{dogs}/owner/nullable")] == (
        "nullable: nullable: true beside $ref read as anyOf of it and null"
    )
    assert notes[(152, f"{dogs}/weight/exclusiveMinimum")] == (
        "exclusive-bound: exclusiveMinimum: true with minimum 0 read as exclusiveMinimum: 0"
    )
    assert notes[(121, "/components/schemas/Owner/properties/phone/x-nullable")] == (
        "nullable: x-nullable: true read as type [string, null]"
    )
    assert notes[(2, "/openapi")] == "openapi: openapi 3.0.3 read as OpenAPI 3.1.0"
    vaccination = spec.document["components"]["schemas"]["Vaccination"]["properties"]
    assert vaccination["certificate"] == {
        "type": "string",
        "description": "The scanned certificate.",
        "contentMediaType": "application/octet-stream",
    }
    assert notes[(175, "/components/schemas/Vaccination/properties/certificate")] == (
        "type-file: type file read as a string of format binary"
    )
    assert len(spec.notes) == 22
    assert {d.file for d in spec.notes} == {f"{SHOWN}/kennel30.yaml"}


def test_verbose_lists_each_change_and_otherwise_a_count_per_kind(tmp_path: Path) -> None:
    quiet = chatforge("validate", KENNEL, "--no-cache", cwd=ROOT)
    assert quiet.returncode == 0, quiet.stderr
    assert (
        "chatforge: kennel30: read as OpenAPI 3.0 and normalised to 3.1 (22 changes: example 4, "
        "exclusive-bound 3, format-binary 3, format-byte 1, nullable 9, openapi 1, type-file 1); "
        "--verbose lists each"
    ) in quiet.stderr
    assert lines(quiet.stderr, "note") == []
    verbose = chatforge("validate", KENNEL, "--no-cache", "--verbose", cwd=ROOT)
    notes = lines(verbose.stderr, "note")
    assert len(notes) == 22
    assert notes[0] == (
        f"{SHOWN}/kennel30.yaml:2:1: note: openapi: openapi 3.0.3 read as OpenAPI 3.1.0 (/openapi)"
    )


def test_an_openapi_30_spec_generates_code_whose_nullable_fields_take_none(tmp_path: Path) -> None:
    out = generated(KENNEL, tmp_path)
    assert sorted(p.name for p in (out / "kennel30").iterdir()) == [
        "client",
        "docs",
        "models",
        "server",
    ]
    folders = [out / "kennel30" / target for target in ("client", "server")]
    with imported(folders, "kennel30_client", "kennel30_server") as (client_module, server):
        models = importlib.import_module("kennel30_client.models")
        dog = models.Dog.model_validate(
            {"id": "d1", "name": "Rex", "size": "large", "owner": None, "nickname": None}
        )
        assert dog.owner is None and dog.nickname is None
        assert (
            models.Dog.model_validate(
                {"id": "d2", "name": "Ada", "size": "small", "owner": {"name": "Bo"}, "mood": None}
            ).owner.name
            == "Bo"
        )
        with pytest.raises(ValueError):
            models.Dog.model_validate({"id": "d3", "name": "X", "size": "huge", "owner": None})
        with (
            LiveServer(server.create_app(mock=True)) as live,
            client_module.Client(base_url=live.url) as client,
        ):
            listed = client.dogs.list_dogs(limit=20)
            assert [d.name for d in listed] == ["Rex"]
            assert listed[0].owner is None
            added = client.dogs.add_dog(name="Rex", size="large", nickname=None)
            assert added.id


# -- specs split over files -----------------------------------------------------------------------


def test_a_spec_split_over_files_is_bundled_with_deterministic_names() -> None:
    others: list[Path] = []
    spec = validate.load(LIBRARY, f"{SHOWN}/split/library.yaml", others)
    components = spec.document["components"]
    # A component that refers to a file takes the part in its place (Author, apiKey); the
    # entry's own Error keeps its name, and common.yaml's is named after its file.
    assert list(components["schemas"]) == [
        "Author",
        "Error",
        "book",
        "Member",
        "Tag",
        "common_Error",
    ]
    assert components["securitySchemes"] == {
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-Library-Card"}
    }
    assert list(components["parameters"]) == ["BookId"]
    assert list(components["responses"]) == ["NotFound"]
    book = components["schemas"]["book"]["properties"]
    assert book["author"] == {"$ref": "#/components/schemas/Author"}
    # The cycle book -> Member -> book ends in the components it goes through.
    assert book["borrower"]["anyOf"][0] == {"$ref": "#/components/schemas/Member"}
    member = components["schemas"]["Member"]["properties"]
    assert member["loans"]["items"] == {"$ref": "#/components/schemas/book"}
    not_found = components["responses"]["NotFound"]["content"]["application/json"]["schema"]
    assert not_found == {"$ref": "#/components/schemas/common_Error"}
    # The path item of its own file is written in place.
    books = spec.document["paths"]["/books"]["get"]
    assert books["operationId"] == "list_books"
    assert books["responses"]["200"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/book"
    }
    assert sorted(p.relative_to(LIBRARY.parent).as_posix() for p in others) == [
        "common.yaml",
        "paths/books.yaml",
        "schemas/author.yaml",
        "schemas/book.yaml",
        "schemas/member.yaml",
    ]
    # No reference is left to another file.
    assert not [
        value
        for _, keyword, value in loader.references(spec.document)
        if keyword == "$ref" and not str(value).startswith("#")
    ]


def test_a_problem_inside_a_referenced_file_is_reported_in_that_file(tmp_path: Path) -> None:
    result = chatforge("validate", LIBRARY, "--no-cache", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr, "warning") == [
        f"{SHOWN}/split/paths/books.yaml:11:3: warning: GET /books documents no error response; "
        "add the vendor's error responses (/get/responses)"
    ]
    # An error in a part: the referenced file's name, line and pointer.
    copy = tmp_path / "split"
    shutil.copytree(LIBRARY.parent, copy)
    member = copy / "schemas" / "member.yaml"
    member.write_text(
        member.read_text(encoding="utf-8").replace("type: array", "type: arrray"),
        encoding="utf-8",
    )
    broken = chatforge("validate", copy / "library.yaml", "--no-cache", cwd=tmp_path)
    assert broken.returncode == 1
    assert lines(broken.stderr, "error") == [
        "split/schemas/member.yaml:11:7: error: not valid OpenAPI 3.1: 'arrray' is not a "
        "JSON Schema type; use array, boolean, integer, null, number, object or string "
        "(/Member/properties/loans/type)"
    ]


def test_a_spec_split_over_files_generates_code_that_imports_and_answers(tmp_path: Path) -> None:
    out = generated(LIBRARY, tmp_path)
    header = (out / "library" / "server" / "library_server" / "app.py").read_text("utf-8")
    assert "generated by chatforge from library.yaml" in header.splitlines()[0]
    assert "common.yaml" not in header and "schemas/" not in header
    assert sorted(p.name for p in (out / "library").iterdir()) == [
        "client",
        "docs",
        "models",
        "server",
    ]
    folders = [out / "library" / target for target in ("client", "server")]
    with imported(folders, "library_client", "library_server") as (client_module, server):
        models = importlib.import_module("library_client.models")
        book = models.Book.model_validate(
            {"id": "b1", "title": "T", "borrower": {"id": "m1", "name": "N", "loans": []}}
        )
        assert book.borrower is not None and book.borrower.name == "N"
        with (
            LiveServer(server.create_app(mock=True)) as live,
            # The security scheme that came from common.yaml: the client sends a library card.
            client_module.Client(base_url=live.url, api_key="card-1") as client,
        ):
            assert client.books.get_book(book_id="AB1234").id
            assert client.members.get_member(member_id="m1").name


def test_a_change_to_a_referenced_file_is_seen_by_the_next_run(tmp_path: Path) -> None:
    copy = tmp_path / "split"
    shutil.copytree(LIBRARY.parent, copy)
    environment = {**os.environ, "CHATFORGE_CACHE_DIR": str(tmp_path / "cache")}

    def validate() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMAND, "validate", str(copy / "library.yaml")],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
        )

    first = validate()
    assert first.returncode == 0, first.stderr
    common = copy / "common.yaml"
    common.write_text(
        common.read_text(encoding="utf-8").replace("type: integer", "type: integr"),
        encoding="utf-8",
    )
    second = validate()
    assert second.returncode == 1
    assert "split/common.yaml:30:11: error: not valid OpenAPI 3.1:" in second.stderr


def test_a_spec_reaches_a_sibling_folder_only_under_the_ref_root_given(tmp_path: Path) -> None:
    rooted = FIXTURES / "rooted"
    entry = rooted / "api" / "chat.yaml"
    alone = chatforge("validate", entry, "--no-cache", cwd=ROOT)
    assert alone.returncode == 1
    assert lines(alone.stderr, "error") == [
        f"{SHOWN}/rooted/api/chat.yaml:23:17: error: $ref '../common/room.yaml#/Room' leaves the "
        "spec's folder; chatforge reads only files in the folder of the spec it is given and the "
        "folders below it (or under --ref-root DIR, a folder holding both) (/paths/~1rooms~1"
        "{room_id}/get/responses/200/content/application~1json/schema/$ref)"
    ]
    out = tmp_path / "out"
    made = chatforge("generate", entry, "--ref-root", rooted, "--out", out, "--no-cache", cwd=ROOT)
    assert made.returncode == 0, made.stderr
    with imported([out / "chat" / "client"], "chat_client.models") as (models,):
        room = models.Room.model_validate(
            {"id": "r1", "name": "lobby", "members": [{"user_id": "ann"}]}
        )
        assert room.members[0].user_id == "ann"
    escape = chatforge("validate", rooted / "api" / "escape.yaml", "--ref-root", rooted, cwd=ROOT)
    assert escape.returncode == 1
    dog = "'../../kennel30.yaml#/components/schemas/Dog'"
    assert f"$ref {dog} leaves the folder given as --ref-root ({rooted.resolve()})" in escape.stderr
    outside = chatforge("validate", LIBRARY, "--ref-root", rooted, cwd=ROOT)
    assert outside.returncode == 2
    assert f"is not inside --ref-root {rooted.resolve()}" in outside.stderr


# -- references a spec may not follow -------------------------------------------------------------


def test_references_that_reach_out_of_the_folder_are_refused_where_written() -> None:
    result = chatforge("validate", FIXTURES / "hostile" / "refs.yaml", "--no-cache", cwd=ROOT)
    assert result.returncode == 1
    schema = "/paths/~1things/get/responses/200/content/application~1json/schema/properties"
    where = f"{SHOWN}/hostile"
    leaves = (
        "leaves the spec's folder; chatforge reads only files in the folder of the spec it is "
        "given and the folders below it (or under --ref-root DIR, a folder holding both)"
    )
    assert lines(result.stderr, "error") == [
        f"{where}/inner/part.yaml:8:7: error: $ref '../../kennel30.yaml#/components/schemas/Dog' "
        f"{leaves} (/Part/properties/escape/$ref)",
        f"{where}/refs.yaml:20:21: error: $ref '../split/common.yaml#/components/schemas/Error' "
        f"{leaves} ({schema}/up/$ref)",
        f"{where}/refs.yaml:22:21: error: $ref 'outside.yaml#/components/schemas/Error' names a "
        "symbolic link that leads out of the spec's folder; chatforge reads only files in the "
        f"folder of the spec it is given and below it (or under --ref-root) ({schema}/linked/$ref)",
        f"{where}/refs.yaml:24:21: error: $ref 'https://example.com/schemas/thing.yaml' names a "
        "URL; chatforge reads nothing from the network: save the document in the spec's folder "
        f"and refer to it by a relative path ({schema}/remote/$ref)",
        f"{where}/refs.yaml:26:21: error: $ref '/etc/passwd' names a file by an absolute path; "
        "name it relative to the file that refers to it, inside the spec's folder "
        f"({schema}/absolute/$ref)",
        f"{where}/refs.yaml:28:21: error: $ref 'inner/nothing.yaml' names a file that is not "
        f"there ({schema}/missing/$ref)",
        f"{where}/refs.yaml:32:21: error: $dynamicRef 'inner/part.yaml#/Part' points outside "
        "this file; only $ref may name another file (of the spec's folder), so use $ref or "
        f"move the target under components ({schema}/dynamic/$dynamicRef)",
    ]


def test_a_referenced_file_is_read_within_the_limits_of_the_entry(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\ncomponents:\n  schemas:\n"
        "    A: {$ref: 'deep.yaml'}\n",
        encoding="utf-8",
    )
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 300 + "]" * 300 + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validate.load(tmp_path / "api.yaml", "api.yaml")
    (found,) = caught.value.diagnostics
    assert found.file == "deep.yaml"
    assert "nests deeper than 200 levels" in found.message


# -- a spec without x-chatforge -------------------------------------------------------------------


def test_what_still_gives_correct_code_is_a_warning_summarised_by_rule(tmp_path: Path) -> None:
    lenient = FIXTURES / "lenient.yaml"
    result = chatforge("validate", lenient, "--no-cache", "--warnings", "summary", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert lines(result.stderr, "warning") == []
    assert (
        "chatforge: 10 warning(s) by rule: examples 3, enums 2, operation-id 2, tags 2, "
        "name-collision 1"
    ) in result.stderr
    every = chatforge("validate", lenient, "--no-cache", cwd=ROOT)
    shown = [line.split(": warning: ")[1] for line in lines(every.stderr, "warning")]
    assert (
        "properties 'usernames' and 'USERNAMES' of schema 'NewNotice' both become the Python "
        "name 'usernames'; the generated code renames one of them (its field and argument keep "
        "the name on the wire); rename one to choose the names "
        "(/components/schemas/NewNotice/properties/USERNAMES)"
    ) in shown
    assert (
        "enum is empty, so no value is valid; list the allowed values or remove enum "
        "(/components/schemas/Notice/properties/colour/enum)"
    ) in shown
    none = chatforge("validate", lenient, "--no-cache", "--warnings", "none", cwd=ROOT)
    assert lines(none.stderr, "warning") == [] and "by rule" not in none.stderr


def test_a_lenient_spec_generates_correct_code(tmp_path: Path) -> None:
    out = generated(FIXTURES / "lenient.yaml", tmp_path, "--warnings", "none")
    folders = [out / "lenient" / target for target in ("client", "server")]
    with imported(folders, "lenient_client", "lenient_server") as (client_module, server):
        models = importlib.import_module("lenient_client.models")
        wire = {"text": "t", "usernames": ["ada", "bo"], "USERNAMES": "ada,bo"}
        notice = models.NewNotice.model_validate(wire)
        assert notice.model_dump(by_alias=True, exclude_unset=True) == wire
        with (
            LiveServer(server.create_app(mock=True)) as live,
            client_module.Client(base_url=live.url) as client,
        ):
            # The spec's example (an id of 7 for a string) is not what the mock answers.
            listed = client.default.list_notices()
            assert all(isinstance(item.id, str) for item in listed)
            posted = client.default.post_notice(text="t", usernames=["ada"], body_usernames="ada")
            assert isinstance(posted.id, str)


def test_a_mismatching_example_is_left_out_of_a_plain_spec_s_model() -> None:
    (source,) = pipeline.find_specs(load_config(ROOT), [str(FIXTURES / "lenient.yaml")])
    checked = pipeline.check(source)
    assert checked.built is not None
    api, _ = checked.built
    (listing,) = [op for op in api.operations if op.operation_id == "listNotices"]
    ok = next(r for r in listing.responses if r.status == "200")
    assert ok.example_json is None and ok.synthesized_json is not None
    assert all(d.level is Level.WARNING for d in checked.diagnostics)


# -- openapi-spec-validator's errors, located -----------------------------------------------------


def test_each_schema_s_error_is_reported_where_it_is(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        """\
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /a:
    get:
      parameters:
        - name: q
          in: query
          schema: {type: string, minLength: -1}
      responses:
        '200':
          description: ok
components:
  schemas:
    A:
      type: object
      properties:
        x: {type: string, minLength: -1}
    B:
      type: string
      minLength: -1
""",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        validate.load(spec, "bad.yaml")
    found = [(d.file, d.line, d.col, d.pointer, d.message) for d in caught.value.diagnostics]
    message = "not valid OpenAPI 3.1: -1 is less than the minimum of 0"
    assert found == [
        ("bad.yaml", 9, 34, "/paths/~1a/get/parameters/0/schema/minLength", message),
        ("bad.yaml", 18, 27, "/components/schemas/A/properties/x/minLength", message),
        ("bad.yaml", 21, 7, "/components/schemas/B/minLength", message),
    ]


def test_a_value_that_fits_no_form_says_why_each_form_does_not(tmp_path: Path) -> None:
    spec = tmp_path / "forms.yaml"
    spec.write_text(
        """\
openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      parameters:
        - name: narrow
          in: query
          style: form
          content:
            application/json:
              schema: {type: array}
      responses:
        '200':
          description: ok
""",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        validate.load(spec, "forms.yaml")
    (found,) = caught.value.diagnostics
    assert (found.line, found.pointer) == (7, "/paths/~1a/get/parameters/0")
    assert found.message == (
        "not valid OpenAPI 3.0: this value is none of the forms allowed here: 'schema' is a "
        "required property; or it may not hold style here"
    )


def test_an_operation_that_is_a_reference_is_refused_where_written(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /things:\n    get:\n"
        "      $ref: 'operations/list_things.yaml'\n",
        encoding="utf-8",
    )
    (tmp_path / "operations").mkdir()
    (tmp_path / "operations" / "list_things.yaml").write_text(
        "operationId: list_things\nresponses:\n  '200': {description: The things}\n",
        encoding="utf-8",
    )
    result = chatforge("validate", "api.yaml", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1
    assert lines(result.stderr, "error") == [
        "api.yaml:6:7: error: $ref 'operations/list_things.yaml' stands for a whole operation, "
        "which OpenAPI does not allow: an Operation Object has no $ref (a path item may be one); "
        "write the operation in place, or bundle the spec first with a tool that writes such "
        "references in (redocly bundle) (/paths/~1things/get/$ref)"
    ]
