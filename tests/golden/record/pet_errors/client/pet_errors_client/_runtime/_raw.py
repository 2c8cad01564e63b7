"""Each call's raw response, for `client.with_raw_response`: the answers a call receives are
kept in a context variable, which every task and thread has its own copy of."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Generic, ParamSpec, TypeVar

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
P = ParamSpec("P")


class APIResponse(Generic[T]):
    """One call's HTTP answer next to its parsed value, from `client.with_raw_response`.

    Attributes:
        http_response: the `httpx.Response` itself (its body already read, except for a
            download, whose body went to the file).
        status_code: the HTTP status.
        headers: the answer's headers (rate-limit counters, request ids...).
    """

    __slots__ = ("_parsed", "http_response")

    def __init__(self, http_response: httpx.Response, parsed: T) -> None:
        self.http_response = http_response
        self._parsed = parsed

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """The body as it came; empty for a download."""
        import httpx

        try:
            return self.http_response.content
        except httpx.ResponseNotRead:
            return b""

    def parse(self) -> T:
        """The value the method returns without `with_raw_response`."""
        return self._parsed

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}]>"


# The answers of the current call, while a `with_raw_response` method runs; each task and
# thread has its own, so concurrent calls never see each other's.
_ANSWERS: ContextVar[list[httpx.Response] | None] = ContextVar("answers", default=None)


def seen(response: httpx.Response) -> None:
    answers = _ANSWERS.get()
    if answers is not None:
        answers.append(response)


def wrap(method: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """`method`, returning the call's APIResponse instead of the parsed value alone."""

    def call(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        answers: list[httpx.Response] = []
        token = _ANSWERS.set(answers)
        try:
            parsed = method(*args, **kwargs)
        finally:
            _ANSWERS.reset(token)
        return APIResponse(answers[-1], parsed)

    call.__doc__ = method.__doc__
    call.__name__ = getattr(method, "__name__", "call")
    return call


def wrap_async(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[APIResponse[T]]]:
    """The async twin of `wrap`."""

    async def call(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        answers: list[httpx.Response] = []
        token = _ANSWERS.set(answers)
        try:
            parsed = await method(*args, **kwargs)
        finally:
            _ANSWERS.reset(token)
        return APIResponse(answers[-1], parsed)

    call.__doc__ = method.__doc__
    call.__name__ = getattr(method, "__name__", "call")
    return call
