"""Pydantic v2 models through datamodel-code-generator, from the IR's named schemas."""

from __future__ import annotations

import functools
import json
import re

from generator.diagnostics import Diagnostic, Level, SpecError
from generator.ir import Api
from generator.targets import Files
from generator.templates import header


class ModelsError(Exception):
    pass


@functools.cache
def models_module(api: Api) -> str:
    """The text of `models.py`: every named schema of the API as a class."""
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion
    from datamodel_code_generator.parser import LiteralType

    if not api.models:
        return header(api, "Models") + "\nfrom pydantic import BaseModel as BaseModel\n"
    document = {
        "openapi": "3.1.0",
        "info": {"title": api.title, "version": api.version or "0"},
        "paths": {},
        "components": {"schemas": {m.name: json.loads(m.schema_json) for m in api.models}},
    }
    text = generate(
        document,
        input_file_type=InputFileType.OpenAPI,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        formatters=[],
        custom_file_header=header(api, "Models").rstrip("\n"),
        snake_case_field=True,
        use_annotated=True,
        field_constraints=True,
        enum_field_as_literal=LiteralType.All,
        use_standard_collections=True,
        use_union_operator=True,
        disable_timestamp=True,
        use_field_description=True,
        use_schema_description=True,
        use_double_quotes=True,
        keep_model_order=True,
        allow_population_by_field_name=True,
        strict_nullable=True,
        capitalise_enum_members=True,
        # Generated code needs pydantic alone: e-mail addresses stay strings rather than
        # EmailStr, which would need the email-validator package.
        type_mappings=["string+email=string", "string+idn-email=string"],
    )
    if not isinstance(text, str):
        raise ModelsError("datamodel-code-generator returned no single module")
    defined = set(re.findall(r"^class (\w+)\(", text, re.MULTILINE))
    defined |= set(re.findall(r"^(\w+) = ", text, re.MULTILINE))
    defined |= set(re.findall(r"^type (\w+) = ", text, re.MULTILINE))
    missing = [m.name for m in api.models if m.name not in defined]
    if missing:
        raise SpecError(
            [
                Diagnostic(
                    api.spec_file,
                    1,
                    1,
                    Level.ERROR,
                    f"the models generator renamed schema {name!r}; rename the schema so it "
                    "is a plain PascalCase identifier",
                    "/components/schemas",
                )
                for name in missing
            ]
        )
    return text


def deferred(text: str) -> str:
    """The models with their validators built when first used, not at import: a client with
    hundreds of models imports in a fraction of the time. (Servers build theirs at start.)"""
    return text.replace(
        "        populate_by_name=True,\n",
        "        populate_by_name=True,\n        defer_build=True,\n",
    )


def render(api: Api) -> Files:
    package = api.models_package
    return {
        f"{package}/__init__.py": deferred(models_module(api)),
        f"{package}/py.typed": "",
    }
