"""``AniListClient``: polite, robust look-ups against AniList's GraphQL API on one shared ``httpx.AsyncClient``."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import time
import zlib
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx

from bot import __version__
from bot.anilist import mapping
from bot.anilist.airing import Airing, airing_of
from bot.anilist.limiter import Clock, LimiterBusy, MemberShare, Sleep, SlidingWindowLimiter
from bot.anilist.mapping import BundleBuilder, as_dict, as_list, as_str
from bot.anilist.models import AnimeHit, CharacterHit, PersonHit
from bot.anilist.queries import AIRING_PER_PAGE, ALL_QUERIES, PER_PAGE
from bot.anilist.singleflight import SingleFlight
from bot.catalogue.models import MAX_ID, CatalogueBundle, in_range
from bot.config import DEFAULT_ANILIST_URL
from bot.errors import NotFound, UpstreamUnavailable

log = logging.getLogger(__name__)

ANILIST_URL = DEFAULT_ANILIST_URL
PROJECT_URL = "https://github.com/kansou-bot/kansou"
USER_AGENT = f"kansou/{__version__} (+{PROJECT_URL})"

DEFAULT_PER_MINUTE = 25
"""AniList serves 30 requests a minute (its headers still claim 90); 25 leaves room for clock skew."""
DEFAULT_MEMBER_PER_MINUTE = 6
"""Requests a minute one member's look-ups may send (a token bucket): four busy members still leave a slot free."""
DEFAULT_MAX_PAGES = 20
"""Pages of 25 read per nested list (characters, staff, roles): 500 entries, 20 requests at most per list."""
DEFAULT_BACKOFF = 60.0
"""Seconds to hold off after a 429 that says neither ``Retry-After`` nor ``X-RateLimit-Reset``."""
MAX_BACKOFF = 3600.0
MAX_SEARCH = 25
MAX_SEARCH_LENGTH = 100
DEFAULT_TIMEOUT = 10.0
"""Seconds one request may take from start to the last byte, when neither the caller nor the HTTP client says."""
MAX_BODY = 5 * 1024 * 1024
"""Bytes of (decoded) answer read at most: AniList's largest real page is far below 1 MB."""

NOT_ANSWERING = "AniList is not answering right now."
CANNOT_ANSWER = "AniList could not answer that request right now."


def rate_limited_message(seconds: int) -> str:
    """What a member is told while AniList's own back-off (a 429) is in force."""
    return f"AniList is rate limiting us; try again in {seconds} s."


def share_used_message(seconds: int) -> str:
    """What a member is told when their own share of the AniList budget is used up for the moment."""
    return f"AniList has had your share of look-ups for now; try again in {seconds} s."


_member: ContextVar[Hashable | None] = ContextVar("kansou_anilist_member", default=None)
"""The member the requests sent now are charged to (see ``AniListClient.on_behalf_of``)."""


def busy_message(seconds: int) -> str:
    """What a member is told when kansou's own limiter has no slot soon enough."""
    return f"AniList is busy; try again in {seconds} s."


def make_http_client(timeout: float, *, user_agent: str = USER_AGENT) -> httpx.AsyncClient:
    """The recommended shared HTTP client: ``timeout`` s to read (at most 5 s to connect), a clear User-Agent.

    The caller owns it: open it once at start-up (``async with make_http_client(10.0) as http:``), hand it to
    ``AniListClient`` and close it at shutdown. ``Settings.anilist_timeout`` is the intended ``timeout``.
    """
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        headers={"User-Agent": user_agent, "Accept": "application/json"},
        limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
        follow_redirects=False,
    )


class _ConnectFailed(Exception):
    """The request never reached AniList (so retrying it once is safe)."""


class _Unreadable(Exception):
    """AniList's answer cannot be read (an encoding kansou did not ask for, broken gzip)."""


class _TooLarge(Exception):
    """AniList's answer is larger than kansou reads."""

    def __init__(self, size: int) -> None:
        super().__init__(f"answer of more than {size} bytes")
        self.size = size


@dataclass(frozen=True, slots=True)
class _Answer:
    """One answer, read whole (and bounded): its status, headers and body."""

    status_code: int
    headers: httpx.Headers
    body: bytes


def _page_variables(entity_id: int, pages: Mapping[str, int], more: Mapping[str, bool]) -> dict[str, Any]:
    """Variables of one page of a show's (or person's) characters and staff; a finished list is left out."""
    return {
        "id": entity_id,
        "characterPage": pages["characters"],
        "staffPage": pages["staff"],
        "withCharacters": more["characters"],
        "withStaff": more["staff"],
    }


class AniListClient:
    """Look-ups on AniList: rate limited per process, single-flight, and failing only with kansou's errors.

    Every method may raise ``UpstreamUnavailable`` (with ``retry_after`` when known) and the ``fetch_*``
    methods ``NotFound``; no ``httpx`` exception escapes. ``max_wait`` (per call, else the client's default,
    itself unlimited unless given) is a deadline, in seconds from the start of the call, for sending the call's
    requests: when the next one (a later page, or the retry after a 429) could not go out before it — because
    the limiter has no slot or AniList's back-off is in force — the call raises
    ``UpstreamUnavailable("AniList is busy / rate limiting us; try again in N s.", retry_after=N)`` at once,
    without sending. Concurrent identical calls share one execution, under the first caller's ``max_wait``.

    Each request has one overall deadline (``timeout``, else the HTTP client's read timeout: ANILIST_TIMEOUT)
    and reads at most ``max_body`` bytes of answer; past either it is abandoned, its connection closed rather
    than returned to the pool, and the call raises ``UpstreamUnavailable``.

    Each member has a share of the budget (``member_per_minute``, a token bucket): requests sent inside
    ``on_behalf_of(member)`` are charged to it, and a look-up is refused at once while that share is used up.

    Requests are never retried except once after a connection failure (nothing reached AniList) and once after
    a 429 whose back-off fits in ``max_wait``; both retries go through the limiter.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        url: str = ANILIST_URL,
        per_minute: int = DEFAULT_PER_MINUTE,
        max_wait: float = math.inf,
        max_pages: int = DEFAULT_MAX_PAGES,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Clock = time.time,
        timeout: float | None = None,
        max_body: int = MAX_BODY,
        member_per_minute: float = DEFAULT_MEMBER_PER_MINUTE,
    ) -> None:
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        if max_body < 1:
            raise ValueError("max_body must be at least 1")
        self._http = http
        # One deadline for the whole request (pool, connect, send, every read): httpx's own timeouts are per
        # operation, so a body dripped a byte at a time would otherwise never time out.
        self._timeout = timeout if timeout is not None else (http.timeout.read or DEFAULT_TIMEOUT)
        self._max_body = max_body
        self._url = url
        self._max_wait = max_wait
        self._max_pages = max_pages
        self._clock = clock
        self._wall_clock = wall_clock
        self.limiter = SlidingWindowLimiter(per_minute, clock=clock, sleep=sleep)
        self.share = MemberShare(member_per_minute, clock=clock)
        self._requests: SingleFlight[dict[str, Any]] = SingleFlight()
        self._bundles: SingleFlight[CatalogueBundle] = SingleFlight()

    def check_share(self, member: Hashable | None) -> None:
        """Raise ``UpstreamUnavailable`` ("your share… try again in N s") if ``member`` may not start a look-up."""
        if member is None:
            return
        try:
            self.share.check(member)
        except LimiterBusy as busy:
            seconds = max(1, math.ceil(busy.wait))
            raise UpstreamUnavailable(share_used_message(seconds), retry_after=seconds) from None

    @contextmanager
    def on_behalf_of(self, member: Hashable | None) -> Iterator[None]:
        """Charge every request sent inside the block to ``member``'s share (None: to nobody's).

        Refused at once (``UpstreamUnavailable``, nothing sent) when the share is used up; once started, a look-up
        is never cut off by it (see ``MemberShare``).
        """
        if member is None:
            yield
            return
        self.check_share(member)
        token = _member.set(member)
        try:
            yield
        finally:
            _member.reset(token)

    def retry_after(self) -> float:
        """Seconds before a request made now would be sent (0.0 when it would go at once)."""
        return self.limiter.delay()

    async def search_anime(self, title: str, *, limit: int = 5, max_wait: float | None = None) -> list[AnimeHit]:
        """Shows whose titles match ``title``, best match first (adult titles left out)."""
        data = await self._search("SearchAnime", title, limit, max_wait)
        hits = (mapping.anime_hit(m) for m in as_list(as_dict(data.get("Page")).get("media")))
        return [h for h in hits if h is not None]

    async def search_character(
        self, name: str, *, limit: int = 5, max_wait: float | None = None
    ) -> list[CharacterHit]:
        """Characters whose names match ``name``, best match first, with the anime they appear in."""
        data = await self._search("SearchCharacter", name, limit, max_wait)
        hits = (mapping.character_hit(c) for c in as_list(as_dict(data.get("Page")).get("characters")))
        return [h for h in hits if h is not None]

    async def search_staff(self, name: str, *, limit: int = 5, max_wait: float | None = None) -> list[PersonHit]:
        """Voice actors and staff whose names match ``name``, best match first."""
        data = await self._search("SearchStaff", name, limit, max_wait)
        hits = (mapping.person_hit(s) for s in as_list(as_dict(data.get("Page")).get("staff")))
        return [h for h in hits if h is not None]

    async def season_page(self, season: str, year: int, page: int, *, per_page: int = 50,
                          max_wait: float | None = None) -> tuple[list[AnimeHit], bool]:
        """One page of a season's shows, most popular first (adult titles left out); and whether more follow."""
        variables = {"season": season, "seasonYear": year, "page": page, "perPage": max(1, min(per_page, 50))}
        data = await self._request("SeasonTitles", variables, self._deadline(max_wait))
        found = as_dict(data.get("Page"))
        hits = (mapping.anime_hit(m) for m in as_list(found.get("media")))
        return [h for h in hits if h is not None], as_dict(found.get("pageInfo")).get("hasNextPage") is True

    async def fetch_anime(self, anilist_id: int, *, max_wait: float | None = None) -> CatalogueBundle:
        """A show with all its characters (Japanese and English voice actors) and staff, as a bundle."""
        if not in_range(anilist_id, (1, MAX_ID)):
            raise NotFound(f"AniList has no anime with id {anilist_id}.")
        deadline = self._deadline(max_wait)
        return await self._bundles.run(("anime", anilist_id), lambda: self._fetch_anime(anilist_id, deadline))

    async def fetch_person(self, staff_id: int, *, max_wait: float | None = None) -> CatalogueBundle:
        """A person with every anime they voiced a character in or worked on, as a bundle."""
        if not in_range(staff_id, (1, MAX_ID)):
            raise NotFound(f"AniList has no person with id {staff_id}.")
        deadline = self._deadline(max_wait)
        return await self._bundles.run(("person", staff_id), lambda: self._fetch_person(staff_id, deadline))

    async def airing(self, anilist_ids: Sequence[int], after: int, before: int, *, max_wait: float | None = None
                     ) -> list[Airing]:
        """Episodes of the shows ``anilist_ids`` airing in (``after``, ``before``) — Unix seconds — in airing order.

        One query per page covers every show (50 episodes a page; at most ``max_pages`` pages).
        """
        ids = sorted(set(anilist_ids))
        if not ids or before <= after + 1:
            return []
        deadline = self._deadline(max_wait)
        found: list[Airing] = []
        for page in range(1, self._max_pages + 1):
            data = await self._request("AiringSchedule", {"page": page, "perPage": AIRING_PER_PAGE, "ids": ids,
                                                          "after": after, "before": before}, deadline)
            body = as_dict(data.get("Page"))
            found += [a for a in (airing_of(e) for e in as_list(body.get("airingSchedules"))) if a is not None]
            if as_dict(body.get("pageInfo")).get("hasNextPage") is not True:
                break
        return found

    async def _search(self, name: str, text: str, limit: int, max_wait: float | None) -> dict[str, Any]:
        text = " ".join(text.split())[:MAX_SEARCH_LENGTH]
        if not text:
            return {}
        variables = {"search": text, "perPage": max(1, min(limit, MAX_SEARCH))}
        return await self._request(name, variables, self._deadline(max_wait))

    async def _fetch_anime(self, anilist_id: int, deadline: float) -> CatalogueBundle:
        builder = BundleBuilder()
        draft: mapping.AnimeDraft | None = None
        pages = {"characters": 1, "staff": 1}
        more = {"characters": True, "staff": True}
        while more["characters"] or more["staff"]:
            variables = _page_variables(anilist_id, pages, more)
            try:
                data = await self._request("FetchAnime", variables, deadline)
            except NotFound:
                raise NotFound(f"AniList has no anime with id {anilist_id}.") from None
            media = as_dict(data.get("Media"))
            draft = draft or builder.anime(media)
            if draft is None:
                raise NotFound(f"AniList has no anime with id {anilist_id}.")
            if more["characters"]:
                characters = as_dict(media.get("characters"))
                mapping.add_anime_characters(builder, draft, characters.get("edges"))
                more["characters"] = self._next_page(builder, pages, "characters", characters, "show")
            if more["staff"]:
                staff = as_dict(media.get("staff"))
                mapping.add_anime_staff(builder, draft, staff.get("edges"))
                more["staff"] = self._next_page(builder, pages, "staff", staff, "show")
        return builder.build(source=f"https://anilist.co/anime/{anilist_id}")

    async def _fetch_person(self, staff_id: int, deadline: float) -> CatalogueBundle:
        builder = BundleBuilder()
        person: str | None = None
        language: str | None = None
        pages = {"characters": 1, "staff": 1}
        more = {"characters": True, "staff": True}
        while more["characters"] or more["staff"]:
            variables = _page_variables(staff_id, pages, more)
            try:
                data = await self._request("FetchPerson", variables, deadline)
            except NotFound:
                raise NotFound(f"AniList has no person with id {staff_id}.") from None
            staff = as_dict(data.get("Staff"))
            if person is None:
                person = builder.person(staff)
                if person is None:
                    raise NotFound(f"AniList has no person with id {staff_id}.")
                language = mapping.language_name(staff.get("languageV2"))
            if more["characters"]:
                roles = as_dict(staff.get("characterMedia"))
                if language is None and as_list(roles.get("edges")) and pages["characters"] == 1:
                    builder.notes.append(
                        f"AniList gives {as_str(staff.get('languageV2')) or 'no language'} as this person's "
                        "language, which kansou does not list; their voice roles were left out."
                    )
                mapping.add_person_characters(builder, person, language, roles.get("edges"))
                more["characters"] = self._next_page(builder, pages, "characters", roles, "person")
            if more["staff"]:
                works = as_dict(staff.get("staffMedia"))
                mapping.add_person_staff(builder, person, works.get("edges"))
                more["staff"] = self._next_page(builder, pages, "staff", works, "person")
        return builder.build(source=f"https://anilist.co/staff/{staff_id}")

    def _next_page(
        self, builder: BundleBuilder, pages: dict[str, int], which: str, connection: Mapping[str, Any], of: str
    ) -> bool:
        """Advance ``pages[which]`` if AniList says there is more and the cap allows; note a cut-off list."""
        if as_dict(connection.get("pageInfo")).get("hasNextPage") is not True:
            return False
        if not as_list(connection.get("edges")):
            return False  # "more" but an empty page: stop rather than walk an endless list
        if pages[which] >= self._max_pages:
            limit = self._max_pages * PER_PAGE
            builder.notes.append(
                f"AniList lists more than {limit} {which} entries for this {of}; only the first {limit} were read."
            )
            return False
        pages[which] += 1
        return True

    def _deadline(self, max_wait: float | None) -> float:
        return self._clock() + (self._max_wait if max_wait is None else max(0.0, max_wait))

    async def _request(self, name: str, variables: Mapping[str, Any], deadline: float) -> dict[str, Any]:
        """Send one query (sharing an identical one already in flight) and return its ``data``."""
        key = (name, json.dumps(variables, sort_keys=True, separators=(",", ":")))
        return await self._requests.run(key, lambda: self._send(name, variables, deadline))

    async def _send(self, name: str, variables: Mapping[str, Any], deadline: float) -> dict[str, Any]:
        retried_connect = retried_429 = False
        while True:
            await self._acquire(deadline)
            member = _member.get()
            if member is not None:
                self.share.charge(member)
            try:
                response = await self._post(name, variables)
            except _ConnectFailed:
                if retried_connect:
                    raise UpstreamUnavailable(NOT_ANSWERING) from None
                retried_connect = True
                continue
            if response.status_code != 429:
                return self._read(name, response)
            backoff = self._backoff(response)
            self.limiter.block(backoff)
            log.warning("AniList rate limited %s; sending nothing for %.0f s", name, backoff)
            if not retried_429 and self._clock() + backoff <= deadline:
                retried_429 = True
                continue
            raise UpstreamUnavailable(rate_limited_message(math.ceil(backoff)), retry_after=math.ceil(backoff))

    async def _acquire(self, deadline: float) -> None:
        try:
            await self.limiter.acquire(max(0.0, deadline - self._clock()))
        except LimiterBusy as busy:
            seconds = max(1, math.ceil(busy.wait))
            message = rate_limited_message(seconds) if busy.blocked else busy_message(seconds)
            raise UpstreamUnavailable(message, retry_after=seconds) from None

    async def _post(self, name: str, variables: Mapping[str, Any]) -> _Answer:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                answer = await self._exchange(name, variables)
        except httpx.ConnectError as exc:
            log.warning("AniList %s: cannot connect (%s)", name, exc)
            raise _ConnectFailed from exc
        except _TooLarge as exc:
            log.warning("AniList %s: answer too large (%s); stopped reading at %d bytes", name, exc, self._max_body)
            raise UpstreamUnavailable(CANNOT_ANSWER) from exc
        except _Unreadable as exc:
            log.warning("AniList %s: %s", name, exc)
            raise UpstreamUnavailable(NOT_ANSWERING) from exc
        except (TimeoutError, httpx.TimeoutException) as exc:
            elapsed = time.perf_counter() - started
            log.warning("AniList %s: no complete answer after %.1f s (%s)", name, elapsed, type(exc).__name__)
            raise UpstreamUnavailable(NOT_ANSWERING) from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            log.warning("AniList %s: request failed (%s: %s)", name, type(exc).__name__, exc)
            raise UpstreamUnavailable(NOT_ANSWERING) from exc
        log.debug(
            "AniList %s %s -> %s in %.0f ms",
            name, dict(variables), answer.status_code, (time.perf_counter() - started) * 1000,
        )
        return answer

    async def _exchange(self, name: str, variables: Mapping[str, Any]) -> _Answer:
        """Send one request and read its answer, stopping (and dropping the connection) past ``max_body``.

        The body is read raw and inflated here, never more than ``max_body`` bytes at a time: httpx would inflate
        each compressed chunk whole, and 64 KB of gzip can hold 64 MB of nothing.
        """
        request = {"query": ALL_QUERIES[name], "variables": dict(variables)}
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip"}
        async with self._http.stream("POST", self._url, json=request, headers=headers) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self._max_body:
                raise _TooLarge(int(declared))
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower() or "identity"
            if encoding not in ("identity", "gzip"):
                raise _Unreadable(f"an answer encoded as {encoding[:40]!r}")
            inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
            body = bytearray()
            try:
                async for chunk in response.aiter_raw():
                    # Past the cap by one byte is enough to know; leaving the block unread closes this connection
                    # instead of returning it to the pool.
                    body += chunk if inflate is None else inflate.decompress(chunk, self._max_body + 1 - len(body))
                    if len(body) > self._max_body:
                        raise _TooLarge(len(body))
                if inflate is not None:
                    body += inflate.flush()
            except zlib.error as exc:
                raise _Unreadable(f"a broken gzip answer ({exc})") from None
            if len(body) > self._max_body:
                raise _TooLarge(len(body))
            return _Answer(response.status_code, response.headers, bytes(body))

    def _read(self, name: str, response: _Answer) -> dict[str, Any]:
        """The ``data`` of an answer, or the error it stands for."""
        try:
            payload: object = json.loads(response.body)
        except ValueError:
            payload = None
        body = as_dict(payload)
        errors = [as_dict(e) for e in as_list(body.get("errors"))]
        if any(e.get("message") == "Not Found." or e.get("status") == 404 for e in errors):
            raise NotFound("AniList has nothing with that id.")
        if response.status_code >= 500:
            log.warning("AniList %s: HTTP %s", name, response.status_code)
            raise UpstreamUnavailable(NOT_ANSWERING)
        if not isinstance(payload, dict):
            log.warning("AniList %s: HTTP %s with an answer that is not JSON", name, response.status_code)
            raise UpstreamUnavailable(NOT_ANSWERING)
        if errors:
            messages = [e.get("message") for e in errors]
            log.warning("AniList %s: HTTP %s, errors %s", name, response.status_code, messages)
            raise UpstreamUnavailable(CANNOT_ANSWER)
        data = payload.get("data")
        if response.status_code != 200 or not isinstance(data, dict):
            log.warning("AniList %s: HTTP %s without data", name, response.status_code)
            raise UpstreamUnavailable(NOT_ANSWERING)
        return data

    def _backoff(self, response: _Answer | httpx.Response) -> float:
        """Seconds a 429 asks us to wait: ``Retry-After`` (seconds or a date), else ``X-RateLimit-Reset``."""
        seconds: float | None = None
        retry_after = response.headers.get("Retry-After", "").strip()
        if retry_after:
            try:
                seconds = float(retry_after)
            except ValueError:
                try:
                    seconds = email.utils.parsedate_to_datetime(retry_after).timestamp() - self._wall_clock()
                except (TypeError, ValueError):
                    seconds = None
        if seconds is None:
            reset = response.headers.get("X-RateLimit-Reset", "").strip()
            try:
                seconds = float(reset) - self._wall_clock() if reset else None
            except ValueError:
                seconds = None
        if seconds is None or not math.isfinite(seconds):
            return DEFAULT_BACKOFF
        return min(max(seconds, 1.0), MAX_BACKOFF)
