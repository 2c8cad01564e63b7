"""Pydantic v2 models, one package per API: the models module with plain types and deferred
annotations."""

from __future__ import annotations

from chatforge.ir.model import Api
from chatforge.targets import Files
from chatforge.targets.modelgen import deferred, plain_types


def render(api: Api, models: str) -> Files:
    """The models package; `models` is the API's models module (`modelgen.models_module`)."""
    package = api.models_package
    return {
        f"{package}/__init__.py": deferred(api, plain_types(models)),
        f"{package}/py.typed": "",
    }
