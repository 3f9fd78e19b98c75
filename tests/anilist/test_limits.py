"""AniList answers with limits: a capped body, one deadline per request, and a pool that survives misbehaviour.

A misbehaving AniList is a raw loopback HTTP server here (the fake AniList answers too politely): it can send a
300 MB answer, one that declares its size up front, or a short answer dripped a byte at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import json
import sys
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.anilist import AniListClient, make_http_client
from bot.anilist.client import CANNOT_ANSWER, NOT_ANSWERING
from bot.errors import UpstreamUnavailable

ROOT = Path(__file__).resolve().parents[2]
HUGE = 300 * 1024 * 1024
CHUNK = b'{"data": {"Page": {"media": [' + b" " * (64 * 1024 - 30)
DRIP_BYTES = 40
DRIP_EVERY = 0.25  # so a dripped answer takes 10 s, against a 1 s deadline
OK_BODY = json.dumps({"data": {"Page": {"media": []}}}).encode()
BOMB = 256 * 1024 * 1024  # inflated; about 1 MB as sent


@functools.cache
def gzip_bomb() -> bytes:
    """256 MB of zeros, gzipped (quickly, so not as small as it could be)."""
    squeeze = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    return b"".join(squeeze.compress(block) for _ in range(BOMB // len(block))) + squeeze.flush()


@dataclass
class Misbehaving:
    """A loopback HTTP server whose answer depends on the path: /huge, /declared, /bomb, /drip, /ok, /gzip-ok
    or /deflate."""

    url: str = ""
    sent: dict[str, int] = field(default_factory=dict)
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                length = next((int(line.split(":", 1)[1]) for line in lines
                               if line.lower().startswith("content-length:")), 0)
                await reader.readexactly(length)
                await self.answer(path, writer)

    async def answer(self, path: str, writer: asyncio.StreamWriter) -> None:
        base = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if path == "/ok":
            writer.write(f"{base}Content-Length: {len(OK_BODY)}\r\n\r\n".encode() + OK_BODY)
        elif path == "/gzip-ok":
            packed = gzip.compress(OK_BODY)
            writer.write(f"{base}Content-Encoding: gzip\r\nContent-Length: {len(packed)}\r\n\r\n".encode() + packed)
        elif path == "/deflate":
            packed = zlib.compress(OK_BODY)
            writer.write(f"{base}Content-Encoding: deflate\r\nContent-Length: {len(packed)}\r\n\r\n".encode()
                         + packed)
        elif path == "/bomb":
            bomb = gzip_bomb()
            writer.write(f"{base}Content-Encoding: gzip\r\nContent-Length: {len(bomb)}\r\n\r\n".encode())
            for at in range(0, len(bomb), 64 * 1024):  # stops early when the client hangs up (ConnectionError)
                writer.write(bomb[at:at + 64 * 1024])
                await writer.drain()
                self.sent["/bomb"] = at
        elif path == "/declared":
            writer.write(f"{base}Content-Length: {HUGE}\r\n\r\n".encode() + CHUNK)
        elif path == "/huge":
            writer.write(f"{base}Transfer-Encoding: chunked\r\n\r\n".encode())
            sent = 0
            while sent < HUGE:  # stops early when the client hangs up (ConnectionError)
                writer.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                await writer.drain()
                sent += len(CHUNK)
                self.sent["/huge"] = sent
            writer.write(b"0\r\n\r\n")
        elif path == "/drip":
            writer.write(f"{base}Content-Length: {DRIP_BYTES}\r\n\r\n".encode())
            for _ in range(DRIP_BYTES):
                await writer.drain()
                await asyncio.sleep(DRIP_EVERY)
                writer.write(b" ")
                self.sent["/drip"] = self.sent.get("/drip", 0) + 1
        await writer.drain()


@pytest.fixture
async def server() -> AsyncIterator[Misbehaving]:
    misbehaving = Misbehaving()
    listener = await asyncio.start_server(misbehaving.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    misbehaving.url = f"http://127.0.0.1:{port}"
    async with listener:
        yield misbehaving
        listener.close()


# The bot's own client in its own process, so its peak RSS is its own: /huge, /bomb, /drip, then /ok.
CHILD = """
import asyncio, json, resource, sys, time
from bot.anilist import AniListClient, make_http_client
from bot.errors import UpstreamUnavailable

async def main(url):
    out = {"before_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    # 1 s for the drip; the others get a deadline a busy machine cannot reach, so only the cap can stop them.
    async with make_http_client(1.0) as quick, make_http_client(60.0) as patient:
        for path in ("/huge", "/bomb", "/drip", "/ok"):
            client = AniListClient(quick if path == "/drip" else patient, url=url + path)
            started = time.monotonic()
            try:
                await client.search_anime("hoshizora")
                out[path] = "ok"
            except UpstreamUnavailable as exc:
                out[path] = str(exc)
            out[path + " s"] = time.monotonic() - started
    out["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))

asyncio.run(main(sys.argv[1]))
"""


async def test_a_huge_and_a_dripped_answer_in_a_real_process(server: Misbehaving) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, server.url, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    started = time.monotonic()
    out, err = await asyncio.wait_for(process.communicate(), 120)
    elapsed = time.monotonic() - started
    assert process.returncode == 0, err.decode()
    result = json.loads(out)
    # The 300 MB answer: refused, having read about 5 MB, with the process's memory bounded (generously).
    assert result["/huge"] == CANNOT_ANSWER
    assert server.sent["/huge"] < HUGE // 4
    assert (result["peak_kib"] - result["before_kib"]) < 64 * 1024, result
    # The gzip bomb (256 MB inflated): refused too, within the same bound.
    assert result["/bomb"] == CANNOT_ANSWER
    assert server.sent["/bomb"] < len(gzip_bomb())
    # The dripped answer: abandoned at the 1 s deadline, long before the drip (10 s) would have ended.
    assert result["/drip"] == NOT_ANSWERING
    assert result["/drip s"] < DRIP_BYTES * DRIP_EVERY
    assert server.sent["/drip"] < DRIP_BYTES
    assert elapsed < DRIP_BYTES * DRIP_EVERY + 60  # the whole child, drip included, never waited the drip out
    # And the client still works afterwards.
    assert result["/ok"] == "ok"


async def test_a_declared_oversized_answer_is_refused_before_reading(server: Misbehaving) -> None:
    async with make_http_client(5.0) as http:
        client = AniListClient(http, url=server.url + "/declared")
        with pytest.raises(UpstreamUnavailable, match=CANNOT_ANSWER):
            await client.search_anime("hoshizora")


async def test_the_body_cap_is_a_parameter(server: Misbehaving) -> None:
    async with make_http_client(5.0) as http:
        small = AniListClient(http, url=server.url + "/ok", max_body=len(OK_BODY) - 1)
        with pytest.raises(UpstreamUnavailable, match=CANNOT_ANSWER):
            await small.search_anime("hoshizora")
        exact = AniListClient(http, url=server.url + "/ok", max_body=len(OK_BODY))
        assert await exact.search_anime("hoshizora") == []


async def test_the_overall_deadline_defaults_to_the_http_clients_timeout(server: Misbehaving) -> None:
    async with make_http_client(0.5) as http:
        client = AniListClient(http, url=server.url + "/drip")
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailable, match=NOT_ANSWERING):
            await client.search_anime("hoshizora")
        assert time.monotonic() - started < DRIP_BYTES * DRIP_EVERY
        with pytest.raises(ValueError, match="max_body"):
            AniListClient(http, max_body=0)


async def test_misbehaving_requests_give_their_connections_back(server: Misbehaving) -> None:
    # A pool of two connections; four misbehaving requests in a row (two at a time) each end at their deadline
    # or cap and drop their connection, so a member's ordinary request afterwards still gets one at once.
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.3), limits=limits) as http:
        drip = AniListClient(http, url=server.url + "/drip")
        huge = AniListClient(http, url=server.url + "/huge")
        ok = AniListClient(http, url=server.url + "/ok")
        for _ in range(2):
            failures = await asyncio.gather(drip.search_anime("a"), huge.search_anime("b"), return_exceptions=True)
            assert all(isinstance(f, UpstreamUnavailable) for f in failures), failures
        before = server.connections
        assert await ok.search_anime("c") == []
        assert await ok.search_anime("d") == []
        assert server.connections == before + 1  # a fresh connection, then kept alive for the next request


async def test_gzip_answers_are_read_and_other_encodings_refused(server: Misbehaving) -> None:
    async with make_http_client(5.0) as http:
        assert await AniListClient(http, url=server.url + "/gzip-ok").search_anime("hoshizora") == []
        with pytest.raises(UpstreamUnavailable, match=NOT_ANSWERING):
            await AniListClient(http, url=server.url + "/deflate").search_anime("hoshizora")
        small = AniListClient(http, url=server.url + "/gzip-ok", max_body=len(OK_BODY) - 1)
        with pytest.raises(UpstreamUnavailable, match=CANNOT_ANSWER):  # the cap counts inflated bytes
            await small.search_anime("hoshizora")
