"""Text from a spec, written into generated code and docs: one function per place it can land.

Every function works in three steps. It normalises the text (`normalise`: NFC, no control,
format, surrogate or line-separator characters), escapes it for its place, and checks again
that the result is what it must be there: a docstring body one string constant, a comment one
comment token, a string literal one constant equal to its text, an identifier an ASCII Python
name, Markdown plain text or one code span. A result that fails its check is never emitted:
`UnsafeText` is raised instead.
"""

from __future__ import annotations

import ast
import functools
import html
import io
import keyword
import re
import tokenize
import unicodedata

# Every character Python, `str.splitlines` or an editor may take for the end of a line.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Control, format (zero-width, bidi, BOM...), surrogate and line and paragraph separators.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_ASCII_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The encoding declaration Python reads in the first two lines of a module (PEP 263).
_CODING = re.compile(r"(coding)([:=])")


class UnsafeText(ValueError):
    """Text that, written where it was meant to go, would not stay text."""

    def __init__(self, context: str, text: str) -> None:
        super().__init__(
            f"text from the spec cannot be written safely as a Python {context}: {text!r}; "
            "remove the unusual characters from it"
        )
        self.context = context
        self.text = text


def is_unsafe(char: str) -> bool:
    """Whether a character never reaches generated text as it is (tabs and line feeds are
    whitespace each place writes in its own way)."""
    return char not in "\t\n" and (
        char in LINE_BREAKS or unicodedata.category(char) in UNSAFE_CATEGORIES
    )


@functools.lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """NFC text whose only control characters are tabs and line feeds: every other line break
    becomes a line feed, and control, format, surrogate and separator characters go."""
    text = str(text)
    if text.isascii():
        if text.isprintable():  # nothing to normalise or remove
            return text
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _ASCII_UNSAFE.sub(lambda m: "\n" if m.group() in LINE_BREAKS else "", text)
    text = text.replace("\r\n", "\n")
    kept = "".join(
        "\n" if char in LINE_BREAKS else "" if is_unsafe(char) else char for char in text
    )
    return unicodedata.normalize("NFC", kept)


def one_line(text: str) -> str:
    """`normalise`d text on one line, every run of whitespace one space."""
    return " ".join(normalise(text).split())


def _is_one_line(text: str) -> bool:
    return not any(is_unsafe(char) or char == "\n" for char in text)


# -- Python ---------------------------------------------------------------------------------------


def prose(text: str) -> str:
    """Normalised text with tabs expanded and no trailing space on any line."""
    return "\n".join(line.expandtabs(4).rstrip() for line in normalise(text).splitlines())


# Runs of three or more quotes, which would end the docstring, and quotes at its very end,
# which would run into its closing quotes.
_QUOTES_TO_ESCAPE = re.compile(r'"{3,}|"+\Z')


@functools.lru_cache(maxsize=8192)
def docstring(text: str) -> str:
    """The body of a triple-quoted docstring (between its `\"\"\"`s) reading `prose(text)`."""
    expected = prose(text)
    body = _QUOTES_TO_ESCAPE.sub(lambda m: '\\"' * len(m.group()), expected.replace("\\", "\\\\"))
    if _constant(f'"""{body}"""') != expected:
        raise UnsafeText("docstring", text)
    return body


@functools.lru_cache(maxsize=8192)
def comment(text: str) -> str:
    """Text for one comment line (after its `# `): one line, and never an encoding declaration."""
    body = _CODING.sub(r"\1 \2", one_line(text))
    line = f"# {body}"
    if not _is_one_line(body) or _CODING.search(body) or _tokens(line) != [line]:
        raise UnsafeText("comment", text)
    return body


@functools.lru_cache(maxsize=8192)
def pystr(text: str) -> str:
    """A string literal of `normalise(text)`."""
    expected = normalise(text)
    literal = _string_literal(expected)
    if not _is_one_line(literal) or _constant(literal) != expected:
        raise UnsafeText("string literal", text)
    return literal


def _string_literal(text: str) -> str:
    """A double-quoted literal: backslashes, quotes, tabs and line feeds escaped."""
    if '"' not in text and "\\" not in text and "\n" not in text and "\t" not in text:
        return f'"{text}"'
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


@functools.lru_cache(maxsize=8192)
def data_literal(value: str | bytes) -> str:
    """A literal of a value exactly as the spec gives it (an enum value, a default, an
    example): every character kept, those that are not printable written as escapes."""
    literal = repr(value)
    if not literal.isprintable() or _constant(literal) != value:
        raise UnsafeText("literal", str(value))
    return literal


def is_identifier(name: str) -> bool:
    """Whether `name` is an ASCII Python identifier that is no keyword."""
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name)


def identifier(name: str) -> str:
    """`name`, checked to be an ASCII Python identifier that is no keyword."""
    if not is_identifier(name):
        raise UnsafeText("identifier", name)
    return name


def _constant(source: str) -> object:
    """The value of `source` if it is exactly one constant expression; else a marker no text
    equals."""
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        return _NOT_A_CONSTANT
    if not isinstance(tree.body, ast.Constant) or not isinstance(tree.body.value, str | bytes):
        return _NOT_A_CONSTANT
    return tree.body.value


_NOT_A_CONSTANT = object()


def _tokens(line: str) -> list[str]:
    """The comments of `line`, or a list that is not `[line]` when it holds anything else."""
    try:
        found = list(tokenize.generate_tokens(io.StringIO(line + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    kinds = [token.type for token in found]
    if kinds != [tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER]:
        return []
    return [found[0].string]


# -- Markdown -------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#~])")
# What `md` escapes: its `_MD_SPECIAL` and what HTML escapes.
_MD_ESCAPED = frozenset("\\`*_[]|<>#~&")
# Markdown text with every special character escaped: plain characters, backslash escapes
# and the entities `html.escape` writes.
_MD_PLAIN = re.compile(r"(?:[^\\`*_\[\]|<>#~&]|\\[\\`*_\[\]|<>#~]|&(?:amp|lt|gt);)*")


@functools.lru_cache(maxsize=4096)
def md(text: str) -> str:
    """Inline Markdown text: no HTML, no table breaks, no stray emphasis or code spans."""
    text = one_line(text)
    if _MD_ESCAPED.isdisjoint(text):
        return text
    escaped = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    if not _MD_PLAIN.fullmatch(escaped) or not _is_one_line(escaped):
        raise UnsafeText("Markdown text", text)
    return escaped


def md_block(text: str) -> str:
    """Paragraphs of Markdown prose, escaped like `md` but keeping paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", normalise(text).strip())
    return "\n\n".join(md(p) for p in paragraphs if p.strip())


@functools.lru_cache(maxsize=4096)
def code(text: str) -> str:
    """An inline code span that survives backticks and pipes in the text."""
    text = one_line(text).replace("|", "\\|")
    runs = {len(run) for run in re.findall(r"`+", text)}
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    span = f"{fence}{pad}{text}{pad}{fence}"
    if len(fence) in runs or re.search(r"(?<!\\)\|", text) or not _is_one_line(span):
        raise UnsafeText("Markdown code span", text)
    return span


def anchor(text: str) -> str:
    """An HTML id: lowercase ASCII letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", normalise(text).lower()).strip("-") or "section"


_CODE_SPAN = re.compile(r"`([^`]+)`")


# A bulleted line of Markdown prose: `- `, `* ` or `+ `.
MD_BULLET = re.compile(r"^[-*+]\s+")


def _plain(piece: str) -> str:
    """`md` of a piece of a longer text, keeping one space at either edge if it had one."""
    core = md(piece)
    if not core:
        return " " if piece[:1].isspace() else ""
    lead = " " if piece[:1].isspace() else ""
    trail = " " if piece[-1:].isspace() else ""
    return f"{lead}{core}{trail}"


@functools.lru_cache(maxsize=4096)
def md_inline(text: str, keep_edges: bool = False) -> str:
    """One line of Markdown from spec text: escaped like `md`, except that a `code span` the
    author wrote stays a code span (built with `code`; Markdown shows `<`, `>` and `&` in code
    literally), unless it holds `|`: that one it shows escaped, backticks included, so it reads
    the same in a table and outside."""
    text = one_line(text) if not keep_edges else re.sub(r"\s+", " ", normalise(text))
    parts = _CODE_SPAN.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2 and part.strip() and "|" not in part:
            out.append(code(part))
        elif index % 2:
            out.append(_plain(f"`{part}`"))
        else:
            out.append(_plain(part))
    result = "".join(out)
    return result if keep_edges else result.strip()


def md_prose(text: str) -> str:
    """Paragraphs of Markdown from spec text; `- item` lines stay a bulleted list."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", normalise(text).strip()):
        lead: list[str] = []
        items: list[str] = []
        for line in (line.strip() for line in paragraph.splitlines()):
            if not line:
                continue
            if MD_BULLET.match(line):
                items.append(MD_BULLET.sub("", line))
            elif items:
                items[-1] += " " + line
            else:
                lead.append(line)
        if lead:
            blocks.append(md_inline(" ".join(lead)))
        if items:
            blocks.append("\n".join(f"- {md_inline(item)}" for item in items))
    return "\n\n".join(block for block in blocks if block)


def md_sentence(text: str) -> str:
    """`inline`, with a full stop added unless the text ends on one already."""
    result = md_inline(text)
    return f"{result}." if result and result[-1] not in ".!?:;" else result


def md_link(text: str, target: str) -> str:
    """A link with escaped text; targets are built here from file names and anchors only."""
    return f"[{md(text)}]({target})"


def md_fence(text: str) -> str:
    """A code fence longer than any run of backticks in the text."""
    runs = [len(run) for run in re.findall(r"`+", text)]
    return "`" * max(3, max(runs, default=0) + 1)


def html_text(text: str) -> str:
    """One line of HTML text (a title the site's theme prints as it is): `&`, `<` and `>`
    escaped, and quotes, so it is safe in an attribute too."""
    return html.escape(one_line(text))
