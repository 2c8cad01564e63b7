"""What a Python developer expects of a generated client in the first hour, on a small pet
store spec (tests/fixtures/specs/pets.yaml) and on the shipped clients: misspelled arguments
refused, plain values, each call's own raw response, names and docstrings as a person would
write them, and errors that carry the vendor's message."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest

from tests.conftest import GENERATED, ROOT, import_generated
from tests.running import chatforge

SPEC = ROOT / "tests/fixtures/specs/pets.yaml"
PET = {"name": "Rex", "status": "available", "tags": ["calm"], "id": 1}


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    out = tmp_path_factory.mktemp("pets")
    result = chatforge("generate", SPEC, "--out", out, "-q", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return import_generated("pets", "client", "pets_client", out)


class Store:
    """A MockTransport answering as the pet store does, keeping every request it saw."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path
        if path == "/pets":
            return httpx.Response(200, json=[PET])
        pet_id = path.split("/")[2]
        if pet_id == "missing":
            return httpx.Response(404, json={"code": 16, "message": "No pet has this id"})
        return httpx.Response(200, json={**PET, "name": pet_id}, headers={"x-pet": pet_id})


def client_of(pets: ModuleType, store: Store) -> Any:
    return pets.Client(token="t", transport=httpx.MockTransport(store))


def test_a_misspelled_argument_raises_type_error_naming_the_close_match(pets: ModuleType) -> None:
    store = Store()
    with client_of(pets, store) as client:
        with pytest.raises(TypeError, match=r"list_pets\(\) .* 'limt'\. Did you mean 'limit'\?"):
            client.pets.list_pets(limt=3)
        with pytest.raises(TypeError, match="'timout'. Did you mean 'timeout'"):
            client.pets.get_pet(pet_id="a", timout=3)
        with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
            client.pets.list_pets(foo=1)
        with pytest.raises(TypeError, match="'limt'. Did you mean 'limit'"):
            client.with_raw_response.pets.list_pets(limt=3)
        assert store.seen == []  # refused before any request went out
        client.pets.get_pet(pet_id="a", timeout=3)  # the per-call options still pass
        assert len(store.seen) == 1


def test_values_are_plain_python_values(pets: ModuleType) -> None:
    with client_of(pets, Store()) as client:
        pet = client.pets.get_pet(pet_id="Rex")
        found = client.pets.list_pets()
    assert pet.status == "available"
    assert "calm" in pet.tags and type(pet.tags[0]) is str
    assert isinstance(found, list) and [p.name for p in found] == ["Rex"]
    with pytest.raises(pydantic.ValidationError):  # the constraint is kept as validation
        pets.models.Pet.model_validate({**PET, "tags": ["x" * 17]})


def _wrappers(module: ModuleType) -> list[str]:
    """The RootModel classes of a models module, but for unions of models (the honest type of
    a body that is one of several)."""
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and issubclass(getattr(module, node.name), pydantic.RootModel)
        and not (
            isinstance(node.bases[0], ast.Subscript) and isinstance(node.bases[0].slice, ast.BinOp)
        )
    ]


@pytest.mark.parametrize("slug", ["agora", "nexconn", "rongcloud", "stream", "upstra"])
def test_shipped_models_hold_no_wrapper_to_unwrap(slug: str) -> None:
    folder = next((GENERATED / slug / "client").iterdir())
    models = import_generated(slug, "client", f"{folder.name}.models")
    assert _wrappers(models) == []
    if slug == "rongcloud":
        entry = models.AddToBlocklistRequest.model_validate({"userId": "u0", "blackUserId": ["u1"]})
        assert "u1" in entry.black_user_id
        with pytest.raises(pydantic.ValidationError):  # each id at most 64 characters
            models.AddToBlocklistRequest.model_validate({"userId": "u", "blackUserId": ["x" * 65]})
        assert "message_uids" in models.SendChatroomMessageResponse.model_fields
    if slug == "upstra":
        reaction = pydantic.TypeAdapter(models.ReferenceType).validate_python("message")
        assert reaction == "message"


def test_two_gathered_calls_each_see_their_own_raw_response(pets: ModuleType) -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        pet_id = request.url.path.split("/")[2]
        await asyncio.sleep(0.05 if pet_id == "slow" else 0)
        return httpx.Response(200, json={**PET, "name": pet_id}, headers={"x-pet": pet_id})

    async def main() -> list[Any]:
        async with pets.AsyncClient(token="t", transport=httpx.MockTransport(answer)) as client:
            raw = client.with_raw_response.pets
            return list(await asyncio.gather(raw.get_pet(pet_id="slow"), raw.get_pet(pet_id="q")))

    slow, quick = asyncio.run(main())
    assert slow.headers["x-pet"] == "slow" and slow.parse().name == "slow"
    assert quick.headers["x-pet"] == "q" and quick.parse().name == "q"
    assert slow.status_code == 200 and isinstance(slow.http_response, httpx.Response)
    with client_of(pets, Store()) as client:
        assert not hasattr(client, "last_response")
        response = client.with_raw_response.pets.list_pets(limit=1)
        assert response.parse()[0].status == "available"
        assert json.loads(response.content) == [PET]


def test_names_and_signatures_read_as_a_person_would_write_them(
    pets: ModuleType, tmp_path: Path
) -> None:
    resource = pets.resources.Pets
    assert hasattr(resource, "download_pet_photo")
    assert not [name for name in dir(resource) if name.endswith("_to_file")]
    models = pets.models
    assert issubclass(models.Pet, models.PetFields)
    assert not [name for name in dir(models) if "Variant" in name]
    parameters = inspect.signature(resource.list_pets).parameters
    assert repr(parameters["limit"].default) == "DEFAULT[20]"
    assert parameters["limit"].default.value == 20
    assert "date" in str(parameters["born_on"].annotation)
    store = Store()
    with client_of(pets, store) as client:
        client.pets.list_pets(born_on=[date(2020, 1, 2)])
        assert store.seen[-1].url.params.get_list("bornOn") == ["2020-01-02"]
        assert "limit" not in store.seen[-1].url.params  # the service applies its default
        with pytest.raises(ValueError, match="'petId' must not be empty"):
            client.pets.get_pet(pet_id="")
        assert len(store.seen) == 1


def test_docstrings_describe_what_a_reader_needs(pets: ModuleType) -> None:
    assert "Pet Store API" in (pets.__doc__ or "")
    init_doc = pets.Client.__init__.__doc__ or ""
    for argument in ("token:", "base_url:", "timeout:", "max_retries:", "transport:"):
        assert argument in init_doc
    assert (pets.resources.Pets.__doc__ or "").startswith("Look up, list and photograph")
    for error in (pets.NotFoundError, pets.RateLimitError, pets.APIStatusError):
        assert error.__doc__
    stream = import_generated("stream", "client", "stream_client")
    assert "API API" not in (stream.__doc__ or "")
    source = (GENERATED / "stream/client/stream_client/_client.py").read_text()
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    auth = [c for c in calls if getattr(c.func, "id", "") == "MultiAuth"]
    assert auth and "MultiAuth((" not in source


def test_an_error_carries_the_vendors_message(pets: ModuleType) -> None:
    with client_of(pets, Store()) as client, pytest.raises(pets.NotFoundError) as caught:
        client.pets.get_pet(pet_id="missing")
    error = caught.value
    assert error.message == "No pet has this id"
    assert str(error) == "HTTP 404 (code 16): No pet has this id"
    assert error.code == 16 and error.status_code == 404
