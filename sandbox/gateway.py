"""The gateway websocket: HELLO, IDENTIFY/READY, heartbeats, RESUME, member chunks and dispatches."""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from sandbox.ids import new_token
from sandbox.state import SandboxState
from sandbox.world import GUILD_MEMBERS_INTENT, PRIVILEGED_INTENTS

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 3, 4, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
BUFFER_MAX = 1000


class _Compressor:
    """Per-connection transport compression (``zlib-stream``, or ``zstd-stream`` when a zstd module exists)."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._zlib = zlib.compressobj() if kind == "zlib-stream" else None
        self._zstd: Any = None
        if kind == "zstd-stream":
            self._zstd = _zstd_compressor()

    @staticmethod
    def supported(kind: str | None) -> bool:
        """Whether the stand-in can speak this ``compress`` query value."""
        return kind in (None, "zlib-stream") or (kind == "zstd-stream" and _zstd_compressor() is not None)

    def pack(self, text: str) -> bytes | str:
        """The frame to send for one JSON message."""
        data = text.encode()
        if self._zlib is not None:
            return self._zlib.compress(data) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None:
            packed: bytes = self._zstd(data)
            return packed
        return text


def _zstd_compressor() -> Any:
    """A function compressing one message into a flushed block of a zstd stream, if zstd is available."""
    try:
        import zstandard  # type: ignore[import-not-found]  # noqa: PLC0415
    except ImportError:
        try:
            from compression import zstd  # type: ignore[import-not-found]  # noqa: PLC0415
        except ImportError:
            return None
        std = zstd.ZstdCompressor()
        return lambda data: std.compress(data, zstd.ZstdCompressor.FLUSH_BLOCK)
    obj = zstandard.ZstdCompressor().compressobj()
    return lambda data: obj.compress(data) + obj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


@dataclass
class Connection:
    """One websocket connection from the bot."""

    ws: web.WebSocketResponse
    compressor: _Compressor
    session: GatewaySession | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, payload: dict[str, Any]) -> None:
        """Send one gateway payload (compressed as negotiated)."""
        async with self.lock:
            if self.ws.closed:
                return
            frame = self.compressor.pack(json.dumps(payload))
            try:
                if isinstance(frame, bytes):
                    await self.ws.send_bytes(frame)
                else:
                    await self.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                log.debug("gateway send failed; the bot is gone")


@dataclass
class GatewaySession:
    """An identified session: its sequence, intents, and recent events for RESUME."""

    id: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0
    buffer: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=BUFFER_MAX))
    conn: Connection | None = None
    invalidated: bool = False


class Gateway:
    """Serves ``/gateway`` and pushes events to the bot's current session."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.url = ""
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0
        self.ready = asyncio.Event()  # a session is attached and has had READY (or RESUMED)
        self.query_log: list[dict[str, str]] = []
        state.add_event_sink(self.dispatch)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The websocket endpoint."""
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        query = dict(request.query)
        self.query_log.append(query)
        compress = query.get("compress")
        conn = Connection(ws, _Compressor(compress if _Compressor.supported(compress) else None))
        self.connections.append(conn)
        problem = self._bad_query(query)
        if problem is not None:
            code, name, detail = problem
            self.state.violate(name, detail, kind="gateway", endpoint="GET /gateway")
            await ws.close(code=code, message=name.encode()[:120])
            return ws
        await conn.send({"op": HELLO, "d": {"heartbeat_interval": self.state.config.heartbeat_interval_ms},
                         "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    await self._close(conn, 4002, "Decode error", "the bot sent a non-text frame")
                    break
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await self._close(conn, 4002, "Decode error", "the bot sent invalid JSON")
                    break
                if not await self._on_payload(conn, payload):
                    break
        finally:
            self._detach(conn)
        return ws

    def _bad_query(self, query: dict[str, str]) -> tuple[int, str, str] | None:
        if query.get("v") != "10":
            return 4012, "gateway API version is not 10", f"query v={query.get('v')!r}"
        if query.get("encoding", "json") != "json":
            return 4002, "gateway encoding not supported", f"encoding={query.get('encoding')!r} (only json)"
        if not _Compressor.supported(query.get("compress")):
            return 4000, "gateway compression not supported", f"compress={query.get('compress')!r}"
        return None

    def _detach(self, conn: Connection) -> None:
        session = conn.session
        if session is not None and session.conn is conn:
            session.conn = None
            if conn.ws.close_code in (1000, 1001):
                session.invalidated = True  # a clean close by the client ends the session
            if session is self.current:
                self.ready.clear()
        if conn in self.connections:
            self.connections.remove(conn)

    async def _close(self, conn: Connection, code: int, reason: str, detail: str) -> None:
        self.state.violate(f"gateway closed {code} {reason}", detail, kind="gateway", endpoint="gateway")
        await conn.ws.close(code=code, message=reason.encode())

    async def _on_payload(self, conn: Connection, payload: dict[str, Any]) -> bool:
        op, data = payload.get("op"), payload.get("d")
        if op == HEARTBEAT:
            self.heartbeats += 1
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            return True
        if op == IDENTIFY:
            return await self._identify(conn, data if isinstance(data, dict) else {})
        if op == RESUME:
            return await self._resume(conn, data if isinstance(data, dict) else {})
        if conn.session is None:
            await self._close(conn, 4003, "Not authenticated", f"op {op} sent before IDENTIFY")
            return False
        if op == REQUEST_MEMBERS:
            await self._chunk(conn.session, data if isinstance(data, dict) else {})
            return True
        if op in (PRESENCE, VOICE):
            return True
        await self._close(conn, 4001, "Unknown opcode", f"op {op!r}")
        return False

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> bool:
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated", "IDENTIFY sent twice on one connection")
            return False
        if data.get("token") != self.state.config.token:
            await self._close(conn, 4004, "Authentication failed", "IDENTIFY carried the wrong token")
            return False
        intents = data.get("intents")
        if not isinstance(intents, int):
            await self._close(conn, 4013, "Invalid intent(s)", f"intents={intents!r}")
            return False
        if intents & PRIVILEGED_INTENTS and not self.state.config.privileged_intents:
            await self._close(conn, 4014, "Disallowed intent(s)", f"intents={intents} ask for privileged ones")
            return False
        raw_shard = data.get("shard")
        shard = (int(raw_shard[0]), int(raw_shard[1])) if isinstance(raw_shard, list) and len(raw_shard) == 2 \
            else None
        session = GatewaySession(new_token("session-")[:40], intents, shard)
        self.sessions[session.id] = session
        self.current = session
        self.identify_count += 1
        conn.session, session.conn = session, conn
        world = self.state.world
        guilds = [g for g in self.state.config.guilds
                  if shard is None or (g.id >> 22) % max(shard[1], 1) == shard[0]]
        ready: dict[str, Any] = {
            "v": 10, "user": world.me_payload(), "session_id": session.id, "resume_gateway_url": self.url,
            "session_type": "normal", "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "application": {"id": str(self.state.config.application_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "user_settings": {}, "auth": {},
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self._send_event(session, "READY", ready)
        for guild in guilds:
            await self._send_event(session, "GUILD_CREATE",
                                   world.guild_payload(guild, all_members=bool(intents & GUILD_MEMBERS_INTENT)))
        self.ready.set()
        return True

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> bool:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalidated or data.get("token") != self.state.config.token:
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return True
        old = session.conn
        if old is not None and old is not conn:
            await old.ws.close(code=4000)
        conn.session, session.conn = session, conn
        self.current = session
        self.resume_count += 1
        seq = data.get("seq") or 0
        for event in list(session.buffer):
            if event["s"] > seq:
                await conn.send(event)
        await self._send_event(session, "RESUMED", {})
        self.ready.set()
        return True

    async def _chunk(self, session: GatewaySession, data: dict[str, Any]) -> None:
        raw = data.get("guild_id")
        guild_ids = raw if isinstance(raw, list) else [raw]
        world = self.state.world
        for raw_id in guild_ids:
            try:
                guild = self.state.config.guild(int(str(raw_id)))
            except (KeyError, TypeError, ValueError):
                continue
            ids = [uid for (gid, uid) in world.member_roles if gid == guild.id]
            wanted = data.get("user_ids")
            not_found: list[str] = []
            if wanted:
                wanted_ids = {int(u) for u in (wanted if isinstance(wanted, list) else [wanted])}
                not_found = [str(u) for u in wanted_ids if u not in ids]
                ids = [u for u in ids if u in wanted_ids]
            elif data.get("query"):
                query = str(data["query"]).lower()
                ids = [u for u in ids if world.user(u).name.lower().startswith(query)]
            limit = int(data.get("limit") or 0)
            if limit:
                ids = ids[:limit]
            chunk: dict[str, Any] = {"guild_id": str(guild.id), "members": [world.member_payload(guild, u)
                                                                            for u in ids],
                                     "chunk_index": 0, "chunk_count": 1, "not_found": not_found,
                                     "presences": []}
            if data.get("nonce") is not None:
                chunk["nonce"] = data["nonce"]
            await self._send_event(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_event(self, session: GatewaySession, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.buffer.append(payload)
        if session.conn is not None:
            await session.conn.send(payload)

    async def dispatch(self, event: str, data: dict[str, Any], intent: int = 0) -> None:
        """Send an event to the bot's session (buffered for RESUME while it is disconnected)."""
        session = self.current
        if session is None or session.invalidated:
            log.debug("no gateway session for %s", event)
            return
        if intent and not session.intents & intent:
            return
        await self._send_event(session, event, data)

    async def wait_ready(self, within: float) -> None:
        """Wait (at most ``within`` seconds) until the bot has an identified or resumed connection."""
        await asyncio.wait_for(self.ready.wait(), within)

    async def drop(self, code: int = 4000, *, resumable: bool = True) -> None:
        """Close the bot's connection as Discord would; with ``resumable=False`` its session is invalidated."""
        session = self.current
        if session is None or session.conn is None:
            return
        if not resumable:
            session.invalidated = True
        self.ready.clear()
        conn = session.conn
        session.conn = None
        await conn.ws.close(code=code, message=b"sandbox: connection dropped")

    async def reconnect_request(self) -> None:
        """Send op 7 RECONNECT (Discord asks the bot to reconnect and resume)."""
        session = self.current
        if session is not None and session.conn is not None:
            await session.conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        """Close every connection (server shutdown)."""
        for conn in list(self.connections):
            await conn.ws.close(code=1001, message=b"sandbox shutting down")
        self.ready.clear()
