"""The routes that receive a platform's deliveries in a generated server.

Every delivery is verified on its raw body before anything reads it: forged, tampered and stale
deliveries are refused with 401 (answered in the API's error shape, like every HTTPException of
the app). A delivery id seen before never runs a handler twice: a repeat of a handled delivery
(the platform retrying after a lost answer, or anyone replaying it) gets the answer the first one
got, a repeat while the first is being handled 409, and a retry of one whose handling failed is
handled again. A verified delivery that matches no known event is
accepted with the answer the platform expects and logged; one whose body is not its event's
payload is refused with 400; a known event goes to its handler, then gets the expected answer, or,
for an event that wants a verdict back, the handler's answer as a JSON body.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router

from ._webhooks import (
    Delivery,
    Receiver,
    ReplayGuard,
    UnknownEvent,
    WebhookPayloadError,
    WebhookVerificationError,
    freshness,
    identity,
    verify,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """What the platform expects back from a receiver."""

    status: int = 200
    body: str | bytes = ""
    content_type: str | None = None

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, media_type=self.content_type)


Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def default_answer(method: Handler) -> Handler:
    """Marks the generated handler of an event that wants a verdict back: as long as a
    subclass does not override it, the receiver sends the API's usual answer."""
    setattr(method, "default_answer", True)  # noqa: B010
    return method


def add_receivers(
    router: Router,
    receiver: Receiver,
    handlers: Any,
    secret: str | None,
    answer: Answer,
    *,
    replays: ReplayGuard | None = None,
) -> None:
    """Routes at every receiver path of `receiver`, dispatching to `handlers` (an instance of
    the generated `Webhooks` class). With no `secret`, deliveries are taken unverified (mock
    mode)."""
    guard = replays if replays is not None else ReplayGuard()
    for path in receiver.paths:
        router.routes.append(
            Route(
                path,
                _endpoint(receiver, path, handlers, secret, answer, guard),
                methods=["POST"],
                include_in_schema=False,
            )
        )


def _endpoint(
    receiver: Receiver,
    path: str,
    handlers: Any,
    secret: str | None,
    answer: Answer,
    guard: ReplayGuard,
) -> Callable[[Request], Awaitable[Response]]:
    scheme = receiver.scheme(path)

    async def receive(request: Request) -> Response:
        body = await request.body()
        delivery = receiver.delivery(body, request.headers, request.query_params, path)
        delivery_id = None
        if secret is not None:
            try:
                verify(scheme, delivery, secret)
                delivery_id = identity(scheme, delivery)
            except WebhookVerificationError as error:
                logger.warning("refused a delivery to %s: %s", path, error.reason)
                raise HTTPException(401, error.reason) from None
        if delivery_id is None:
            return await handle(delivery)
        first, kept = guard.begin(delivery_id, time.time(), freshness(scheme))
        if not first:
            if not isinstance(kept, Answer):
                raise HTTPException(409, f"delivery {delivery_id!r} is being handled")
            logger.info("delivery %r to %s was handled before: answered again", delivery_id, path)
            return kept.response()
        try:
            response = await handle(delivery)
        except BaseException:
            guard.abandon(delivery_id)
            raise
        guard.done(
            delivery_id, Answer(response.status_code, bytes(response.body), response.media_type)
        )
        return response

    async def handle(delivery: Delivery) -> Response:
        try:
            event = receiver.identify(delivery, path)
            if event is None:
                logger.warning("accepted a delivery to %s that matches no known event", path)
                await handlers.on_unknown_event(UnknownEvent(delivery.fields(), path))
                return answer.response()
            model = receiver.parse(event, delivery)
        except WebhookPayloadError as error:
            raise HTTPException(400, str(error)) from None
        handler = getattr(handlers, event.handler)
        if getattr(handler, "default_answer", False):
            return answer.response()
        result = await handler(model)
        if event.reply is None:
            return answer.response()
        reply = result if isinstance(result, event.reply) else event.reply.model_validate(result)
        return Response(
            reply.model_dump_json(by_alias=True, exclude_unset=True),
            status_code=event.reply_status,
            media_type="application/json",
        )

    return receive
