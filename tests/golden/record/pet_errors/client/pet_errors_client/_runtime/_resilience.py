"""Retries with backoff, host fail-over and client-side rate limiting: decisions only, so the
sync and async clients share them and tests can drive them without a network."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})
# Answers after which the request was not processed, whatever its method.
REFUSED = frozenset({408, 429})
RETRYABLE = REFUSED | {500, 502, 503, 504}


@dataclass
class RetryPolicy:
    """When to try a request again, and how long to wait first.

    Any method is retried when the request never reached the service (the connection could not
    be made) or the service refused it unprocessed (408, 429). Other failures (5xx, a broken
    read) are retried only for idempotent methods, unless `retry_unsafe` is set.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 60.0
    retry_unsafe: bool = False
    random: Callable[[], float] = random.random

    def safe(self, method: str) -> bool:
        return self.retry_unsafe or method.upper() in IDEMPOTENT

    def should_retry_response(
        self, method: str, response: httpx.Response, attempt: int, limit: int
    ) -> bool:
        if attempt >= limit or response.status_code not in RETRYABLE:
            return False
        return response.status_code in REFUSED or self.safe(method)

    def should_retry_error(
        self, method: str, error: httpx.TransportError, attempt: int, limit: int
    ) -> bool:
        if attempt >= limit:
            return False
        import httpx

        unsent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        return unsent or self.safe(method)

    def delay(self, attempt: int, response: httpx.Response | None = None) -> float:
        """Retry-After when the service gives one (seconds or an HTTP date, capped), else
        exponential backoff with jitter."""
        if response is not None:
            waited = retry_after(response.headers.get("retry-after"))
            if waited is not None:
                return min(waited, self.retry_after_cap)
        backoff = min(self.max_delay, self.base_delay * (2**attempt))
        return float(backoff * (0.5 + self.random() / 2))


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils  # only an HTTP date needs it, and it is slow to import

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


@dataclass(frozen=True)
class Hosts:
    """A primary host and the backup it fails over to on connection errors and 5xx answers."""

    primary: str
    backup: str | None = None

    def next(self, current: str) -> str:
        return self.backup if self.backup and current == self.primary else current


@dataclass
class _Bucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Token buckets per operation and per shared group, from the vendor's documented limits:
    a bulk job waits for its turn instead of collecting 429s."""

    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reserve(self, keys: tuple[tuple[str, int, float], ...]) -> float:
        """Take one token from each (key, requests, period) bucket; the seconds to wait first."""
        with self._lock:
            now = self.clock()
            wait = 0.0
            for key, requests, period in keys:
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = _Bucket(requests, requests / period, requests, now)
                    self._buckets[key] = bucket
                bucket.tokens = min(
                    bucket.capacity, bucket.tokens + (now - bucket.stamp) * bucket.rate
                )
                bucket.stamp = now
                bucket.tokens -= 1
                if bucket.tokens < 0:
                    wait = max(wait, -bucket.tokens / bucket.rate)
            return wait
