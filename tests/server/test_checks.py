"""The checks the generated servers add to their request models (`_runtime/_checks.py`) never
fail on a value the model's own types let through: every member of every request model of every
API, given null or a value of another JSON type, is refused as bad input or taken, never a crash
(which a server would answer 500)."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ValidationError

from chatforge.ir.model import Api
from tests.functional.harness import load_generated, project_apis

# Values of every JSON type, and the edges the checks look at.
VALUES = (None, True, 0, -1, 2**63, 1.5, "", "x", [], [1, 1], {}, {"a": None})


@pytest.mark.parametrize("api", project_apis(), ids=lambda api: api.slug)
def test_no_member_value_crashes_a_check(api: Api) -> None:
    models = load_generated(api).server.models
    classes = [
        cls
        for cls in vars(models).values()
        if isinstance(cls, type)
        and issubclass(cls, BaseModel)
        and cls.__module__ == models.__name__
    ]
    tried = 0
    for cls in classes:
        for name, field in cls.model_fields.items():
            key = field.alias or name
            for value in VALUES:
                text = json.dumps({key: value})
                for context in ({"json": True}, None):
                    try:
                        cls.model_validate_json(text, context=context)
                    except ValidationError:
                        pass
                    tried += 1
    assert tried > 1000
