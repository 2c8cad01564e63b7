"""Chatforge: OpenAPI specs and code generation for chat platform server APIs."""

__version__ = "0.1.0"
