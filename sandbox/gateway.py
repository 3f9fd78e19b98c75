"""The gateway websocket: HELLO, IDENTIFY/READY, heartbeats, RESUME, member chunks and dispatches.

Sessions may be sharded (IDENTIFY with ``shard: [shard_id, num_shards]``): each event about a guild goes to
the sessions whose shard is ``(guild_id >> 22) % num_shards``, events without a guild (DMs) to shard 0, as
Discord routes them. ``SandboxConfig.strict_sharding`` decides whether the configured shard count is required
and a shard may have only one connected session (see :class:`~sandbox.config.SandboxConfig`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from sandbox.config import shard_for
from sandbox.ids import new_token
from sandbox.state import SandboxState
from sandbox.world import GUILD_MEMBERS_INTENT, PRIVILEGED_INTENTS

log = logging.getLogger(__name__)

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 3, 4, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11
BUFFER_MAX = 1000
INVALID_SHARD, SHARDING_REQUIRED = 4010, 4011
GUILD_EVENTS_BY_ID = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")  # the guild's id is ``d.id``

Delivery = tuple["GatewaySession", int]  # a session an event went to, and its sequence number there


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

    @property
    def shard_id(self) -> int:
        """The shard this session holds (0 when unsharded)."""
        return self.shard[0] if self.shard is not None else 0

    @property
    def connected(self) -> bool:
        """Whether the session is live and has a connection (not waiting to be resumed)."""
        return self.conn is not None and not self.invalidated

    def routes(self, guild_id: int | None) -> bool:
        """Whether Discord sends this session the events of ``guild_id`` (``None``: DMs and guild-less events)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else shard_for(guild_id, count) == shard_id


class Gateway:
    """Serves ``/gateway`` and pushes each event to the session(s) of its shard."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.url = ""
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None  # the session identified (or resumed) last
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0
        # Set once connected sessions that have had READY (or RESUMED) receive every guild's events and the
        # DMs (one session unsharded; every shard when sharded); cleared when a connection drops.
        self.ready = asyncio.Event()
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
            self._refresh_ready()
        if conn in self.connections:
            self.connections.remove(conn)

    # routing ---------------------------------------------------------------------

    def live_sessions(self) -> list[GatewaySession]:
        """Sessions that still receive events (connected, or waiting to be resumed), oldest first."""
        return [s for s in self.sessions.values() if not s.invalidated]

    def routes(self, guild_id: int | None) -> list[GatewaySession]:
        """The live sessions that receive the events of ``guild_id`` (``None``: DMs), oldest first."""
        return [s for s in self.live_sessions() if s.routes(guild_id)]

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The session that receives the events of ``guild_id`` (a connected one first), or None."""
        sessions = self.routes(guild_id)
        return next((s for s in reversed(sessions) if s.connected), sessions[-1] if sessions else None)

    def shard_session(self, shard_id: int) -> GatewaySession | None:
        """The connected session holding ``shard_id`` (the latest, if several), or None."""
        return next((s for s in reversed(self.live_sessions()) if s.connected and s.shard_id == shard_id), None)

    @property
    def connected_shards(self) -> list[tuple[int, int] | None]:
        """The ``[shard_id, num_shards]`` of every connected session (``None``: unsharded), oldest first."""
        return [s.shard for s in self.live_sessions() if s.connected]

    def covered(self) -> bool:
        """Whether connected sessions receive the events of every configured guild, and the DMs."""
        connected = [s for s in self.live_sessions() if s.connected]
        return bool(connected) and any(s.routes(None) for s in connected) and \
            all(any(s.routes(g.id) for s in connected) for g in self.state.config.guilds)

    def _refresh_ready(self) -> None:
        if self.covered():
            self.ready.set()
        else:
            self.ready.clear()

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
        try:
            shard = _shard(data.get("shard"))
        except ValueError:
            await self._close(conn, INVALID_SHARD, "Invalid shard",
                              f"shard={data.get('shard')!r}: not [shard_id, num_shards] with 0 <= shard_id < "
                              "num_shards")
            return False
        refusal = self._refuse_shard(shard)
        if refusal is not None:
            await self._close(conn, *refusal)
            return False
        guilds = [g for g in self.state.config.guilds if shard is None or shard_for(g.id, shard[1]) == shard[0]]
        limit = self.state.config.max_guilds_per_shard
        if len(guilds) > limit:
            await self._close(conn, SHARDING_REQUIRED, "Sharding required",
                              f"this session would hold {len(guilds)} guilds; Discord allows {limit} per shard")
            return False
        self._supersede(shard)
        session = GatewaySession(new_token("session-")[:40], intents, shard)
        self.sessions[session.id] = session
        self.current = session
        self.identify_count += 1
        self.state.session_starts += 1
        conn.session, session.conn = session, conn
        world = self.state.world
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
        self._refresh_ready()
        return True

    def _refuse_shard(self, shard: tuple[int, int] | None) -> tuple[int, str, str] | None:
        """Why strict sharding refuses this IDENTIFY (close code, reason, detail), or None."""
        config = self.state.config
        if not config.strict_sharding:
            return None
        count = shard[1] if shard is not None else 1
        if count != config.shard_count:
            if shard is None or count == 1:
                return (SHARDING_REQUIRED, "Sharding required", f"this application runs {config.shard_count} "
                        f"shards; IDENTIFY asked for {'no shard' if shard is None else list(shard)}")
            return (INVALID_SHARD, "Invalid shard", f"shard {list(shard)}: this application runs "
                    f"{config.shard_count} shard{'s' if config.shard_count != 1 else ''}")
        holder = self._holder(shard)
        if holder is not None and holder.connected:
            return (INVALID_SHARD, "Invalid shard", f"shard {list(shard or (0, 1))} already has a connected "
                    f"session ({holder.id[:16]}…); a second connection for it is refused")
        return None

    def _holder(self, shard: tuple[int, int] | None) -> GatewaySession | None:
        """The live session holding the same shard (unsharded counts as ``[0, 1]``), the latest first."""
        key = shard or (0, 1)
        return next((s for s in reversed(self.live_sessions()) if (s.shard or (0, 1)) == key), None)

    def _supersede(self, shard: tuple[int, int] | None) -> None:
        """Strict sharding: a new session for a shard ends the old one that was waiting to be resumed."""
        if not self.state.config.strict_sharding:
            return
        key = shard or (0, 1)
        for session in self.live_sessions():
            if (session.shard or (0, 1)) == key and not session.connected:
                session.invalidated = True

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
        self._refresh_ready()
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
            if not session.routes(guild.id):
                log.debug("member request for %s, which is not on shard %s", guild.id, session.shard)
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
        """Send an event to the session(s) of its shard (buffered for RESUME while one is disconnected)."""
        await self.deliver(event, data, intent)

    async def deliver(self, event: str, data: dict[str, Any], intent: int = 0) -> list[Delivery]:
        """Like :meth:`dispatch`; returns each session the event went to, with its sequence number there.

        An event about a guild (``guild_id``, or ``id`` for ``GUILD_CREATE``/``UPDATE``/``DELETE``) goes to
        the live sessions of the guild's shard, any other event (DMs) to those of shard 0; only sessions that
        asked for ``intent`` receive it (0: all).
        """
        guild_id = _guild_of(event, data)
        sent: list[Delivery] = []
        for session in self.routes(guild_id):
            if intent and not session.intents & intent:
                continue
            await self._send_event(session, event, data)
            sent.append((session, session.seq))
        if not sent:
            log.debug("no gateway session for %s (guild %s)", event, guild_id)
        return sent

    async def wait_ready(self, within: float) -> None:
        """Wait (at most ``within`` seconds) until the bot has an identified or resumed connection."""
        await asyncio.wait_for(self.ready.wait(), within)

    def _target(self, shard: int | None) -> GatewaySession | None:
        return self.current if shard is None else self.shard_session(shard)

    async def drop(self, code: int = 4000, *, resumable: bool = True, shard: int | None = None) -> None:
        """Close a connection as Discord would; with ``resumable=False`` its session is invalidated.

        ``shard``: the connected session holding that shard (default: the session identified last).
        """
        session = self._target(shard)
        if session is None or session.conn is None:
            return
        if not resumable:
            session.invalidated = True
        self.ready.clear()
        conn = session.conn
        session.conn = None
        await conn.ws.close(code=code, message=b"sandbox: connection dropped")

    async def reconnect_request(self, shard: int | None = None) -> None:
        """Send op 7 RECONNECT (Discord asks the bot to reconnect and resume) to a shard's session."""
        session = self._target(shard)
        if session is not None and session.conn is not None:
            await session.conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def close(self) -> None:
        """Close every connection (server shutdown)."""
        for conn in list(self.connections):
            await conn.ws.close(code=1001, message=b"sandbox shutting down")
        self.ready.clear()


def _shard(raw: object) -> tuple[int, int] | None:
    """IDENTIFY's ``shard`` as ``(shard_id, num_shards)`` (None when absent); ValueError when invalid."""
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != 2 or not all(type(n) is int for n in raw):
        raise ValueError(raw)
    shard_id, count = raw
    if not 0 <= shard_id < count:
        raise ValueError(raw)
    return shard_id, count


def _guild_of(event: str, data: dict[str, Any]) -> int | None:
    """The guild an event is about (routes it to that guild's shard), or None."""
    raw = data.get("id") if event in GUILD_EVENTS_BY_ID else data.get("guild_id")
    text = str(raw) if raw is not None else ""
    return int(text) if text.isdigit() else None
