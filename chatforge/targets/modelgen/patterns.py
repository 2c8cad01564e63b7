"""A pattern of the spec as the generated models check it with Python's `re`.

The generated servers' runtime (`runtime/server/_checks.py`) spells a pattern the same way for
the parameters it checks; it is copied into each generated package and cannot import chatforge,
and importing it here would import FastAPI, a quarter of a second of every models worker's
start. So the function is written twice, and a test holds the two copies to the same code.
"""

from __future__ import annotations


def end_of_text(pattern: str) -> str:
    """`pattern` with each `$` outside a class written `\\Z`: in JSON Schema, as in pydantic's
    own engine, `$` is the end of the text, where Python's `re` also takes it before a final
    newline (`^[a-z]+$` matches `"abc\\n"`)."""
    out, index, in_class = [], 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]" or out[-1] in ("[", "[^")
        elif char == "[":
            in_class = True
            if pattern.startswith("[^", index):
                char, index = "[^", index + 1
        elif char == "$":
            char = "\\Z"
        out.append(char)
        index += 1
    return "".join(out)
