"""Fetching cited sources over HTTP: HEAD then GET, redirects, retries, limits per host."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from aisite import __version__
from aisite.pagetext import has_passage, page_text, searchable

REDIRECTS = frozenset([301, 302, 303, 307, 308])
PERMANENT = frozenset([301, 308])
DEAD = frozenset([404, 410])
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Settings:
    """How politely and patiently sources are fetched."""

    timeout: float = 10.0  # seconds for each phase of a request (connect, read, ...)
    retries: int = 2  # after the first try, for time-outs, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    max_wait: float = 60.0  # the longest Retry-After honoured; a longer one ends the tries
    concurrency: int = 8  # requests in flight at once
    per_host: int = 2  # requests in flight to one host
    max_redirects: int = 10
    max_bytes: int = 5 * 1024 * 1024  # of a page searched for a passage
    user_agent: str = f"aisite/{__version__} (source checker)"


@dataclass
class Outcome:
    """What checking one URL found; stored as JSON in the cache."""

    url: str
    state: str  # ok | dead | refused (another 4xx) | failed (time-outs, 5xx, 429, network)
    detail: str = ""  # e.g. "404 Not Found", "host name not found"
    hops: list[tuple[int, str]] = field(default_factory=list)  # redirects: (status, target)
    content_type: str = ""
    read: bool = False  # the page itself was fetched to look for passages
    searched: bool = False  # ... and it was text (HTML, plain text) that could be searched
    passages: dict[str, bool] = field(default_factory=dict)  # quote -> found

    @property
    def moved_to(self) -> str:
        """Where the leading run of permanent redirects ends ('' when the first is temporary)."""
        target = ""
        for status, location in self.hops:
            if status not in PERMANENT:
                break
            target = location
        return target

    def covers(self, quotes: Collection[str]) -> bool:
        """True when this outcome answers for every quote (or no page could be searched)."""
        if self.state != "ok" or not quotes:
            return True
        if not self.read:
            return False
        return not self.searched or set(quotes) <= set(self.passages)

    def to_json(self) -> dict[str, Any]:
        """A plain mapping for the cache file."""
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> Outcome:
        """An outcome read back from the cache file."""
        hops = [(int(s), str(t)) for s, t in data.pop("hops", [])]
        return Outcome(**data, hops=hops)


@dataclass(frozen=True)
class Answer:
    """One HTTP response, reduced to what the checker uses."""

    status: int
    location: str = ""
    content_type: str = ""
    text: str | None = None  # searchable text, when asked for and the type allows
    retry_after: float | None = None


def status_text(status: int) -> str:
    """'404 Not Found'."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _dns_failure(err: BaseException) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Fetcher:
    """Checks URLs with one client, within the overall and per-host limits."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings, sleep: Sleep) -> None:
        self.client = client
        self.settings = settings
        self.sleep = sleep
        self.limit = asyncio.Semaphore(settings.concurrency)
        self.hosts: dict[str, asyncio.Semaphore] = {}

    async def check(self, url: str, quotes: Collection[str]) -> Outcome:
        """Follow a URL's redirects to an answer; search the page for the quotes."""
        outcome = Outcome(url, "ok")
        current, seen = url, {url}
        while True:
            answer = await self._fetch(current, bool(quotes))
            if isinstance(answer, Outcome):
                answer.hops = outcome.hops
                return answer
            if answer.status in REDIRECTS and answer.location:
                target = urljoin(current, answer.location)
                outcome.hops.append((answer.status, target))
                if target in seen:
                    outcome.state, outcome.detail = "dead", "redirect loop"
                    return outcome
                if len(outcome.hops) > self.settings.max_redirects:
                    outcome.state = "dead"
                    outcome.detail = f"more than {self.settings.max_redirects} redirects"
                    return outcome
                current = target
                seen.add(target)
                continue
            break
        outcome.content_type = answer.content_type
        if 200 <= answer.status < 300:
            outcome.read = bool(quotes)
            if answer.text is not None:
                outcome.searched = True
                outcome.passages = {q: has_passage(answer.text, q) for q in quotes}
            return outcome
        outcome.state = "dead" if answer.status in DEAD else "refused"
        outcome.detail = status_text(answer.status) + (f" at {current}" if outcome.hops else "")
        return outcome

    async def _fetch(self, url: str, need_text: bool) -> Answer | Outcome:
        """One URL without following redirects; retries time-outs, 429 and 5xx."""
        host = (urlsplit(url).hostname or "").lower()
        per_host = self.hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        tries = 0
        while True:
            tries += 1
            failure: Outcome | None = None
            answer: Answer | None = None
            async with per_host, self.limit:
                try:
                    answer = await asyncio.wait_for(
                        self._request(url, need_text), self.settings.timeout * 3
                    )
                except (httpx.TimeoutException, TimeoutError):
                    failure = Outcome(url, "failed", f"timed out {_times(tries)}")
                except (httpx.RequestError, httpx.InvalidURL) as err:
                    if _dns_failure(err):
                        failure = Outcome(url, "dead", "host name not found")
                    else:
                        failure = Outcome(url, "failed", f"no connection: {err}")
            if answer is not None and not _retryable(answer.status):
                return answer
            delay = self.settings.backoff * 2 ** (tries - 1)
            if answer is not None:
                failure = Outcome(url, "failed", f"{status_text(answer.status)} {_times(tries)}")
                if answer.retry_after is not None:
                    if answer.retry_after > self.settings.max_wait:
                        failure.detail = (
                            f"{status_text(answer.status)}; the server asks to wait "
                            f"{answer.retry_after:.0f} s"
                        )
                        return failure
                    delay = answer.retry_after
            assert failure is not None
            if tries > self.settings.retries:
                return failure
            await self.sleep(delay)

    async def _request(self, url: str, need_text: bool) -> Answer:
        """HEAD, or GET when the text is needed or HEAD is refused or answers a client error."""
        if not need_text:
            head = await self.client.head(url)
            refused = 400 <= head.status_code < 500 or head.status_code == 501
            if head.status_code == 429 or not refused:
                return _answer(head, None)
        async with self.client.stream("GET", url) as response:
            text = None
            kind = response.headers.get("content-type", "")
            if need_text and 200 <= response.status_code < 300 and searchable(kind):
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) >= self.settings.max_bytes:
                        break
                text = page_text(
                    bytes(body[: self.settings.max_bytes]), kind, response.charset_encoding
                )
            return _answer(response, text)


def _answer(response: httpx.Response, text: str | None) -> Answer:
    headers = response.headers
    return Answer(
        response.status_code,
        headers.get("location", ""),
        headers.get("content-type", "").split(";")[0].strip().lower(),
        text,
        retry_after(headers.get("retry-after")),
    )


def _retryable(status: int) -> bool:
    return status == 429 or (500 <= status < 600 and status != 501)


def _times(tries: int) -> str:
    return "once" if tries == 1 else f"{tries} times"


def client(settings: Settings) -> httpx.AsyncClient:
    """An HTTP client that names itself and never follows redirects on its own."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
        },
        limits=httpx.Limits(max_connections=settings.concurrency),
    )
