"""The project's extensions, read once: each reader gives the object with its defaults, or the
problems of its shape where they are; nothing where the node has no such extension."""

from __future__ import annotations

from chatforge.ir.failures import ERROR_KINDS
from chatforge.spec import extensions as ext

OP = "/paths/~1items/get"


def test_a_signature_given_only_what_it_signs_takes_the_default_headers() -> None:
    scheme = {
        "type": "apiKey",
        "in": "header",
        "name": "Signature",
        "x-signature": {"signed": ["secret", "nonce"]},
    }
    found, problems = ext.read_scheme(scheme, "/components/securitySchemes/sig")
    assert problems == []
    assert found.signature == ext.Signature(signed=("secret", "nonce"))
    assert (found.signature.algorithm, found.signature.app_key_header) == ("sha1", "App-Key")
    assert found.jwt is None and found.value is None


def test_a_signature_on_a_query_scheme_is_refused_at_the_extension() -> None:
    scheme = {"type": "apiKey", "in": "query", "name": "s", "x-signature": {"signed": ["secret"]}}
    _, problems = ext.read_scheme(scheme, "/components/securitySchemes/sig")
    assert [where for _, where in problems] == ["/components/securitySchemes/sig/x-signature"]
    assert problems[0][0].startswith("x-signature goes on an apiKey scheme in a header")


def test_a_token_without_claims_claims_the_server() -> None:
    scheme = {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "x-jwt": {"prefix": "JWT "},
    }
    found, problems = ext.read_scheme(scheme, "/s")
    assert problems == []
    assert found.jwt == ext.Jwt(prefix="JWT ", server_claims=(("server", True),))


def test_no_rate_limit_is_told_from_a_malformed_one() -> None:
    assert ext.read_rate_limit({}, OP) == (None, [])
    assert ext.read_rate_limit({"x-rate-limit": 5}, OP) == (
        None,
        [("x-rate-limit must be a mapping", f"{OP}/x-rate-limit")],
    )


def test_a_rate_limit_is_read_with_its_problems_located() -> None:
    limit, problems = ext.read_rate_limit(
        {"x-rate-limit": {"requests": 0, "period": "minute", "scope": "app"}}, OP
    )
    assert limit == ext.RateLimit(requests=None, period="minute", scope="app")
    assert problems == [
        ("x-rate-limit.requests is 0; it must be a positive integer", f"{OP}/x-rate-limit/requests")
    ]
    undocumented, problems = ext.read_rate_limit({"x-rate-limit": {"documented": False}}, OP)
    assert undocumented == ext.RateLimit(documented=False) and problems == []


def test_function_entries_default_their_name_to_the_operation_id() -> None:
    op = {
        "operationId": "list_items",
        "x-functions": [{"row": 3, "title": "List items"}, "not a mapping"],
    }
    entries, problems = ext.read_functions(op, "/items", OP)
    assert entries == (
        ext.FunctionEntry(f"{OP}/x-functions/0", row=3, title="List items", name="list_items"),
        ext.FunctionEntry(f"{OP}/x-functions/1"),
    )
    assert problems == [
        (
            "each x-functions entry is a mapping with row, title and name",
            f"{OP}/x-functions/1",
        )
    ]


def test_an_error_style_naming_an_unknown_kind_is_refused_before_its_schema_is_read() -> None:
    doc = {"x-errors": {"message": "msg", "codes": {"nonsense": 1}, "schema": "#/nowhere"}}
    found, problems = ext.read_errors(doc, ERROR_KINDS)
    assert found is None
    assert len(problems) == 1
    assert problems[0][0].startswith("x-errors.codes names 'nonsense', which is no failure kind")
    assert problems[0][1] == "/x-errors/codes/nonsense"


def test_an_error_style_keeps_its_codes_in_document_order() -> None:
    doc = {
        "components": {"schemas": {"Error": {"type": "object"}}},
        "x-errors": {
            "message": "msg",
            "code": "code",
            "codes": {"not_found": 404, "authentication": "E_AUTH"},
            "schema": "#/components/schemas/Error",
        },
    }
    found, problems = ext.read_errors(doc, ERROR_KINDS)
    assert problems == []
    assert found is not None
    assert found.codes == (("not_found", 404), ("authentication", "E_AUTH"))
    assert (found.code, found.status, found.schema) == ("code", None, "#/components/schemas/Error")


def test_a_project_document_is_told_by_a_mapping_under_x_chatforge() -> None:
    doc = {
        "x-chatforge": {
            "slug": "demo",
            "package": "demo",
            "source": {"document": "api.md", "functions": 12},
        }
    }
    assert ext.is_project(doc) and ext.claims_project(doc)
    assert ext.read_project(doc) == (ext.Project("demo", "demo", "api.md", 12), [])
    assert not ext.is_project({"x-chatforge": "yes"}) and ext.claims_project({"x-chatforge": 1})
    assert ext.read_project({}) == (None, [])


def test_servers_envelopes_and_aliases() -> None:
    server = {"url": "https://a.example", "x-backup": "b.example", "x-assumed": "a guess"}
    found, problems = ext.read_server(server, "/servers/0")
    assert found == ext.ServerExtensions(backup="b.example", assumed="a guess")
    assert problems == [("x-backup must be the URL of the backup host", "/servers/0/x-backup")]
    envelope, problems = ext.read_envelope(
        {"x-envelope": {"code-field": "code", "success-codes": [200]}}
    )
    assert envelope == ext.Envelope(success_codes=(200,)) and problems == []
    aliases, problems = ext.read_aliases({"x-aliases": ["/old/items"]}, OP)
    assert aliases == ext.Aliases(f"{OP}/x-aliases", ("/old/items",)) and problems == []
    assert ext.read_aliases({"x-aliases": ["old"]}, OP)[1] == [
        ("x-aliases must be a list of paths starting with /", f"{OP}/x-aliases")
    ]


def test_pagination_defaults_to_pages() -> None:
    found, problems = ext.read_pagination({"x-pagination": {"page": "page", "items": "/items"}}, OP)
    assert found == ext.Pagination(f"{OP}/x-pagination", page="page", items="/items")
    assert found.style == "page" and problems == []
    assert ext.read_pagination({}, OP) == (None, [])


def test_a_malformed_pagination_is_refused_member_by_member() -> None:
    raw = {"style": "scroll", "size": 20, "items": "data", "limit": "n"}
    found, problems = ext.read_pagination({"x-pagination": raw}, OP)
    assert found is not None and found.style == "page"
    where = f"{OP}/x-pagination"
    assert [at for _, at in problems] == [
        f"{where}/limit",
        f"{where}/style",
        f"{where}/size",
        f"{where}/items",
    ]
    assert (
        problems[1][0] == "x-pagination.style is 'scroll'; use one of page, offset, cursor, token"
    )
