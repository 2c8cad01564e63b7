"""The intermediate model: one frozen, fully decided description of an API.

Templates and targets see only these objects. Every Python name, type annotation, literal and
import is decided while building the IR, so a template prints values and loops, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Location = Literal["path", "query", "header", "cookie", "body"]
# How one value travels: `form` (scalars; arrays as repeated keys), `deepObject`
# (`name[key]=value`), `json` (a JSON string), `file` (a multipart file part).
# `csv`: an array (`a,b`) or an object (`k1,v1,k2,v2`) as one comma-separated value (`style:
# form, explode: false`).
Style = Literal["form", "deepObject", "json", "file", "simple", "csv"]
# `text`: a `text/*` body, one `str`; `raw`: a body of any other media type, its bytes.
BodyKind = Literal["json", "form", "multipart", "text", "raw"]
ResponseKind = Literal["json", "binary", "empty"]


@dataclass(frozen=True)
class TypeInfo:
    """How a schema is spelled in generated Python."""

    client: str  # annotation of a client method argument (inputs: Sequence, Mapping, FileInput)
    server: str  # annotation of a server handler argument (what FastAPI hands over)
    label: str  # short human label for docs: `string`, `array of string`, `ChannelQueryOptions`
    models: tuple[str, ...] = ()  # model classes the annotations name
    is_array: bool = False
    is_object: bool = False
    is_file: bool = False
    items_object: bool = False  # an array whose items are objects
    kind: str | None = None  # JSON type of a scalar (or of an array's items) read from a form
    client_imports: tuple[str, ...] = ()  # "module:name" pairs the client annotation needs
    server_imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Constraint:
    name: str  # minimum, maxLength, pattern...
    value: str  # rendered as text for docs


@dataclass(frozen=True)
class Field:
    """A parameter or a top-level body property."""

    wire: str  # name on the wire
    py: str  # Python identifier
    location: Location
    type: TypeInfo
    required: bool
    style: Style
    description: str = ""
    default_repr: str | None = None  # Python literal of the documented default
    default_text: str | None = None  # the default as docs show it
    enum_text: str | None = None  # allowed values as docs show them
    constraints: tuple[Constraint, ...] = ()
    example_repr: str = "..."  # Python literal used in examples
    example_json: str = "null"  # JSON text of the example value (curl, tests)
    example_given: bool = False  # the example comes from the spec, not made up from the type
    const_repr: str | None = None  # a value fixed by `const`, filled in by the caller
    deprecated: bool = False
    # An object in a path or a header (`simple`) spelled `k=v,k=v` rather than `k,v,k,v`.
    explode: bool = False


@dataclass(frozen=True)
class Body:
    kind: BodyKind
    media_type: str
    model: str  # request model class
    required: bool
    fields: tuple[Field, ...]  # top-level properties when the body is one object
    description: str = ""
    example_json: str | None = None


@dataclass(frozen=True)
class Response:
    status: str  # "200", "4XX", "default"
    description: str
    kind: ResponseKind
    media_type: str | None = None
    model: str | None = None
    assumed: str | None = None
    example_json: str | None = None
    # For a 2xx JSON answer without an example, one built from its schema (mock servers).
    synthesized_json: str | None = None


@dataclass(frozen=True)
class RateLimit:
    documented: bool
    requests: int | None = None
    period: str | None = None
    scope: str | None = None
    group: str | None = None
    note: str | None = None

    @property
    def text(self) -> str:
        if not self.documented:
            return "not documented by the vendor"
        parts = [f"{self.requests} requests per {self.period}"]
        if self.scope:
            parts.append(f"per {self.scope}")
        if self.group:
            parts.append(f"shared by the `{self.group}` group")
        return ", ".join(parts)


@dataclass(frozen=True)
class Pagination:
    """How a list operation pages (`x-pagination`), in the client's terms."""

    style: Literal["page", "offset", "cursor", "token"]
    # Each argument is a path: a Python argument name, then keys inside it (for a parameter
    # that carries an object, such as Stream's JSON `payload`).
    page: tuple[str, ...] | None
    size: tuple[str, ...] | None
    offset: tuple[str, ...] | None
    cursor: tuple[str, ...] | None
    items: tuple[str, ...]  # JSON pointer tokens into the success body
    next: tuple[str, ...] | None
    item_type: str  # the annotation of one item, for the client iterator
    item_imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Function:
    """One function of the source document, served by an operation: a client method."""

    row: int | None
    title: str
    method: str  # Python method name
    fields: tuple[Field, ...]  # the arguments: parameters, then this variant's body fields
    body_fields: tuple[Field, ...]  # body properties sent, including fixed (`const`) ones
    variant: str | None = None  # request model of the oneOf variant
    path: str | None = None  # the function's own live path, where it is not the operation's


@dataclass(frozen=True)
class Operation:
    operation_id: str
    py: str  # handler method name
    pascal: str
    method: str  # upper case
    path: str
    server_path: str  # the path with Python parameter names, for FastAPI
    aliases: tuple[str, ...]
    server_aliases: tuple[str, ...]
    summary: str
    description: str
    tag: str
    deprecated: bool
    parameters: tuple[Field, ...]
    body: Body | None
    success: Response
    responses: tuple[Response, ...]  # every documented response, in status order
    functions: tuple[Function, ...]
    rate_limit: RateLimit | None
    security: tuple[str, ...]
    pointer: str  # JSON pointer of the operation in the spec
    pagination: Pagination | None = None

    @property
    def shared(self) -> bool:
        return len(self.functions) > 1

    @property
    def path_params(self) -> tuple[Field, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    @property
    def query_params(self) -> tuple[Field, ...]:
        return tuple(p for p in self.parameters if p.location == "query")

    @property
    def header_params(self) -> tuple[Field, ...]:
        return tuple(p for p in self.parameters if p.location == "header")

    @property
    def cookie_params(self) -> tuple[Field, ...]:
        return tuple(p for p in self.parameters if p.location == "cookie")


def _index(op: Operation, function: Function) -> int:
    return next(index for index, f in enumerate(op.functions) if f is function)


@dataclass(frozen=True)
class ResourceNames:
    """The names a tag's resource gives its methods and constants, which the client defines
    and the docs and examples call (`chatforge.ir.calls.resource_names`)."""

    # ((operation pointer, function index), method name)
    methods: tuple[tuple[tuple[str, int], str], ...] = ()
    # the download method of a function answering with a file
    to_files: tuple[tuple[tuple[str, int], str], ...] = ()
    # `iter_<method>` of a paged function
    iterators: tuple[tuple[tuple[str, int], str], ...] = ()
    # ((operation pointer, path), endpoint constant) of each path an operation is called at
    endpoints: tuple[tuple[tuple[str, str], str], ...] = ()
    # (operation pointer, paging constant) of each paged operation
    pagings: tuple[tuple[str, str], ...] = ()

    def method(self, op: Operation, function: Function) -> str:
        return dict(self.methods)[op.pointer, _index(op, function)]

    def to_file(self, op: Operation, function: Function) -> str:
        return dict(self.to_files)[op.pointer, _index(op, function)]

    def iterator(self, op: Operation, function: Function) -> str:
        return dict(self.iterators)[op.pointer, _index(op, function)]

    def endpoint(self, op: Operation, path: str) -> str:
        return dict(self.endpoints)[op.pointer, path]

    def paging(self, op: Operation) -> str:
        return dict(self.pagings)[op.pointer]


@dataclass(frozen=True)
class Tag:
    name: str
    py: str  # module and attribute name: `channels`
    pascal: str  # class name stem: `Channels`
    description: str
    operations: tuple[Operation, ...]
    resource: str = ""  # the client's resource class: `Channels`, unless a model has that name
    names: ResourceNames = ResourceNames()


@dataclass(frozen=True)
class Signature:
    """Signed headers (`x-signature`): what the client computes and the server checks."""

    algorithm: str
    app_key_header: str
    nonce_header: str
    timestamp_header: str
    milliseconds: bool
    signed: tuple[str, ...]
    accepted_prefixes: tuple[str, ...] = ("",)
    request_id_header: str | None = None


@dataclass(frozen=True)
class Jwt:
    """A token minted from the API secret (`x-jwt`)."""

    algorithm: str
    prefix: str
    server_claims_json: str
    user_claim: str | None = None


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    kind: Literal["bearer", "basic", "api_key", "signature", "jwt", "fixed"]
    location: Literal["header", "query", "cookie"] = "header"
    param: str = "Authorization"  # the header or query parameter carrying the credential
    description: str = ""
    signature: Signature | None = None
    jwt: Jwt | None = None
    value: str | None = None  # kind fixed: the value the API requires


@dataclass(frozen=True)
class Credential:
    """What the client takes for one security scheme (`chatforge.ir.calls.credentials`): the
    names of its arguments, which the client's signature, the docs and the examples share."""

    scheme: str  # the security scheme's name
    arguments: tuple[str, ...]  # in the signature's order; none for a fixed header
    optional: bool  # an alternative scheme: every argument defaults to None
    shown: tuple[str, ...] = ()  # the arguments an example passes
    query: tuple[str, str] | None = None  # (parameter, argument) of a key sent in the query
    example_token: str | None = None  # an HS256 server token minted with `api-secret`

    @property
    def arg(self) -> str:
        """The argument naming the main credential."""
        return self.arguments[-1] if self.arguments else ""


@dataclass(frozen=True)
class Failure:
    """One kind of failure a generated server answers, and how a client meets it."""

    kind: str  # `validation`, `not_found`... (`chatforge.ir.failures.ERROR_KINDS`)
    status: int
    vendor_code: int | str | None  # the vendor's code for it (`x-errors`), if the spec says
    exception: str  # the exception the generated client raises for the status


@dataclass(frozen=True)
class ServerVariable:
    name: str
    default: str
    enum: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Envelope:
    """How the vendor wraps every JSON answer (`x-envelope`)."""

    code_field: str
    success_codes: tuple[int | str, ...]
    message_field: str | None = None
    result_field: str | None = None


@dataclass(frozen=True)
class ErrorStyle:
    """How the API words its error answers: `x-errors`, else what `x-envelope` implies, else
    what its documented error responses say."""

    message_field: str = "message"
    code_field: str | None = "code"
    codes: tuple[tuple[str, int | str], ...] = ()  # failure kind -> the vendor's code
    status_field: str | None = None  # a member repeating the HTTP status
    timestamp_field: str | None = None  # a member with the time of the answer, Unix ms
    fields_field: str | None = None  # a member mapping request fields to their problems
    fixed: tuple[tuple[str, Any], ...] = ()  # members every error carries
    validation_status: int = 400  # the status of a request that fails validation
    # FastAPI's own shape, `{"detail": ...}`: for a spec that documents no error body of its own
    detail: bool = False


@dataclass(frozen=True)
class Server:
    url: str
    default_url: str  # with every variable at its default
    description: str = ""
    variables: tuple[ServerVariable, ...] = ()
    assumed: str | None = None
    backup: str | None = None  # the backup host clients fail over to (`x-backup`)


@dataclass(frozen=True)
class SchemaProperty:
    wire: str
    label: str
    required: bool
    description: str
    model: str | None  # linked model, when the property is (or holds) one
    constraints: tuple[Constraint, ...] = ()
    enum_text: str | None = None
    default_text: str | None = None


@dataclass(frozen=True)
class Model:
    """A named schema the models target turns into a class."""

    name: str
    schema_json: str  # canonical JSON Schema with refs to `#/components/schemas/<Name>`
    description: str
    properties: tuple[SchemaProperty, ...]
    variants: tuple[str, ...] = ()  # for oneOf/anyOf unions of models
    assumed: str | None = None


@dataclass(frozen=True)
class WebhookPlace:
    """A value a delivery carries: a header, a query parameter or a top-level body field."""

    location: Literal["header", "query", "body"]
    name: str


@dataclass(frozen=True)
class WebhookTimestamp:
    place: WebhookPlace
    milliseconds: bool
    tolerance: float  # seconds a delivery may be older or newer than the receiver's clock


@dataclass(frozen=True)
class WebhookScheme:
    """How deliveries are checked: a signature (`x-webhook-signature`), or the secret itself
    carried as an API key, a bearer token or basic credentials; `none` checks nothing."""

    name: str  # the security scheme's name; "" for deliveries that carry no credentials
    kind: Literal["signature", "api_key", "bearer", "basic", "none"]
    carried: WebhookPlace | None = None  # signature: where it is; api_key: where the key is
    algorithm: str = "hmac-sha256"
    encoding: str = "hex"
    # The parts signed, in order: "body", "secret", or a value the delivery carries.
    message: tuple[str | WebhookPlace, ...] = ("body",)
    timestamp: WebhookTimestamp | None = None
    id: WebhookPlace | None = None
    description: str = ""


@dataclass(frozen=True)
class Webhook:
    """One event the platform delivers to the customer's server."""

    name: str  # the event's name as the platform writes it (the `webhooks` key)
    operation_id: str
    handler: str  # the receiver's method: `on_<operation_id>`
    summary: str
    description: str
    tag: str
    model: str  # the payload's model class
    encoding: Literal["json", "form"]
    media_type: str
    match: tuple[tuple[str, str], ...]  # body field -> JSON text of the value identifying it
    path: str  # where it is received
    own_path: bool  # received at a URL of its own (`x-event.path`)
    scheme: WebhookScheme
    arrays: tuple[str, ...] = ()  # form fields read as lists (repeated keys)
    kinds: tuple[tuple[str, str], ...] = ()  # form fields read as integer, number or boolean
    example_json: str | None = None  # a realistic delivery, canonical JSON
    source: str = ""
    pointer: str = ""
    # Events that want a verdict back: the answer's model (a 2xx response with a JSON schema)
    # and its status; None where the platform only expects `x-webhooks.answer`.
    reply: str | None = None
    reply_status: int = 200


@dataclass(frozen=True)
class WebhookAnswer:
    status: int = 200
    body: str = ""
    content_type: str | None = None


@dataclass(frozen=True)
class Webhooks:
    """Every event an API delivers (`webhooks`), and how (`x-webhooks`)."""

    documented: bool
    path: str  # where events that share one URL are received
    answer: WebhookAnswer
    events: tuple[Webhook, ...]
    timeout: float | None = None
    retries: int | None = None
    retries_note: str = ""
    note: str = ""
    source: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        """Every receiver path, the shared one first where events use it."""
        return tuple(dict.fromkeys(event.path for event in self.events))

    @property
    def schemes(self) -> tuple[WebhookScheme, ...]:
        return tuple(dict.fromkeys(event.scheme for event in self.events))


@dataclass(frozen=True)
class Api:
    slug: str
    title: str
    version: str
    description: str
    spec_file: str  # relative path shown in headers, never absolute
    package: str  # import prefix
    source_document: str | None
    source_functions: int | None
    servers: tuple[Server, ...]
    security: tuple[SecurityScheme, ...]
    tags: tuple[Tag, ...]
    models: tuple[Model, ...]
    conventions: bool  # the spec carries x-chatforge
    security_all: bool = False  # every scheme is required together (one requirement lists all)
    envelope: Envelope | None = None
    errors: ErrorStyle = ErrorStyle()
    assumed: tuple[str, ...] = field(default=())
    document: str = ""  # the spec as chatforge read it, as JSON text
    credentials: tuple[Credential, ...] = ()  # one per security scheme, in the same order
    failures: tuple[Failure, ...] = ()  # each kind of failure, in `ERROR_KINDS` order
    # The events the platform sends (`webhooks`, `x-webhooks`); None where the spec says nothing
    webhooks: Webhooks | None = None

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for tag in self.tags for op in tag.operations)

    @property
    def covered_rows(self) -> tuple[int, ...]:
        rows = {f.row for op in self.operations for f in op.functions if f.row is not None}
        return tuple(sorted(rows))

    @property
    def models_package(self) -> str:
        return f"{self.package}_models"

    @property
    def client_package(self) -> str:
        return f"{self.package}_client"

    @property
    def server_package(self) -> str:
        return f"{self.package}_server"

    @property
    def example_credentials(self) -> str:
        """The credential arguments of `Client(...)` in examples."""
        return ", ".join(f'{name}="..."' for c in self.credentials for name in c.shown)

    @property
    def default_url(self) -> str:
        return self.servers[0].default_url if self.servers else "http://127.0.0.1:8000"
