"""Interaction callbacks and the interaction webhooks (original response and follow-ups)."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web

from sandbox.components import check_modal
from sandbox.errors import (
    ALREADY_ACKNOWLEDGED,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    UNKNOWN_MESSAGE,
    UNKNOWN_WEBHOOK,
    Breach,
    DiscordHTTPError,
)
from sandbox.lifecycle import Lifecycle
from sandbox.limits import FLAG_EPHEMERAL, check_autocomplete
from sandbox.messages import create_message, delete_message, edit_message, read_body
from sandbox.state import SandboxState
from sandbox.store import InteractionRecord, SandboxMessage
from sandbox.wire import json_response

log = logging.getLogger(__name__)

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, CHOICES, MODAL = 4, 5, 6, 7, 8, 9
ALLOWED_CALLBACKS = {
    COMMAND: {MESSAGE, DEFERRED, MODAL},
    COMPONENT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE, MODAL},
    AUTOCOMPLETE: {CHOICES},
    MODAL_SUBMIT: {MESSAGE, DEFERRED, DEFERRED_UPDATE, UPDATE},
}
CALLBACK = "POST /interactions/{id}/{token}/callback"


class InteractionAPI:
    """Handlers for ``/interactions/…/callback`` and ``/webhooks/{app}/{token}/…``."""

    def __init__(self, state: SandboxState, lifecycle: Lifecycle) -> None:
        self.state = state
        self.lifecycle = lifecycle
        self._responding: set[int] = set()

    def routes(self, prefix: str) -> list[web.RouteDef]:
        """The aiohttp routes, under ``prefix`` (``/api/v10``)."""
        hook = prefix + "/webhooks/{app_id}/{token}"
        return [
            web.post(prefix + "/interactions/{interaction_id}/{token}/callback", self.callback),
            web.get(hook + "/messages/@original", self.get_original),
            web.patch(hook + "/messages/@original", self.edit_original),
            web.delete(hook + "/messages/@original", self.delete_original),
            web.post(hook, self.followup),
            web.get(hook + "/messages/{message_id}", self.get_followup),
            web.patch(hook + "/messages/{message_id}", self.edit_followup),
            web.delete(hook + "/messages/{message_id}", self.delete_followup),
        ]

    # the callback --------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.StreamResponse:
        """``POST /interactions/{id}/{token}/callback``: the one response an interaction gets."""
        state = self.state
        raw_id = request.match_info["interaction_id"]
        record = state.interactions.get(int(raw_id)) if raw_id.isdigit() else None
        if record is None or record.token != request.match_info["token"]:
            violation = state.violate("unknown interaction", f"callback for interaction {raw_id!r}",
                                      kind="interaction", endpoint=CALLBACK)
            raise DiscordHTTPError(404, UNKNOWN_INTERACTION, "Unknown interaction", violation=violation)
        payload, uploads = await read_body(request, state, CALLBACK, record)
        kind = payload.get("type")
        if record.response_type is not None or record.id in self._responding:
            violation = state.violate(
                "interaction acknowledged twice",
                f"{record.label}: already answered with type {record.response_type}, then sent type {kind}",
                kind="interaction", endpoint=CALLBACK, interaction=record)
            raise DiscordHTTPError(400, ALREADY_ACKNOWLEDGED, "Interaction has already been acknowledged.",
                                   violation=violation)
        self.lifecycle.check_open(record)
        allowed = ALLOWED_CALLBACKS.get(record.type, set())
        if kind == UPDATE and record.source_message_id is None:
            allowed = allowed - {UPDATE, DEFERRED_UPDATE}
        if kind not in allowed:
            raise state.reject([Breach("invalid interaction callback type", "type",
                                       f"{record.label}: callback type {kind!r} is not allowed for interaction "
                                       f"type {record.type} (allowed: {sorted(allowed)})",
                                       "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type")],
                               kind="interaction", endpoint=CALLBACK, interaction=record)
        raw_data = payload.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        self._responding.add(record.id)
        try:
            message = await self._apply(record, kind, data, uploads)
        finally:
            self._responding.discard(record.id)
        self.lifecycle.acknowledge(record, kind)
        if kind == DEFERRED:
            record.deferred_pending = True
        else:
            record.finished.set()
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return web.Response(status=204)
        return json_response(self._callback_body(record, kind, message))

    async def _apply(self, record: InteractionRecord, kind: int, data: dict[str, Any],
                     uploads: list[Any]) -> SandboxMessage | None:
        state = self.state
        if kind == MESSAGE:
            message = await create_message(
                state, channel_id=record.channel_id, guild_id=record.guild_id, payload=data, uploads=uploads,
                endpoint=CALLBACK, prefix="data", interaction=record, allow_ephemeral=True,
                msg_type=20 if record.type == COMMAND else 0)
            record.original_message_id = message.id
            return message
        if kind == DEFERRED:
            flags = int(data.get("flags") or 0) & FLAG_EPHEMERAL
            message = await create_message(
                state, channel_id=record.channel_id, guild_id=record.guild_id, payload={"flags": flags},
                uploads=[], endpoint=CALLBACK, interaction=record, allow_ephemeral=True, loading=True,
                msg_type=20 if record.type == COMMAND else 0)
            record.original_message_id = message.id
            return message
        if kind in (UPDATE, DEFERRED_UPDATE):
            source = state.messages.get(record.source_message_id or 0)
            record.original_message_id = record.source_message_id
            if kind == UPDATE:
                if source is None:
                    raise DiscordHTTPError(404, UNKNOWN_MESSAGE, "Unknown Message")
                return await edit_message(state, source, data, uploads, endpoint=CALLBACK, prefix="data",
                                          interaction=record)
            return None
        if kind == CHOICES:
            breaches = check_autocomplete(data, record.focused_type or 3)
            if breaches:
                raise state.reject(breaches, prefix="data", endpoint=CALLBACK, interaction=record)
            record.choices = list(data["choices"])
            return None
        breaches = check_modal(data)
        if breaches:
            raise state.reject(breaches, prefix="data", endpoint=CALLBACK, interaction=record)
        record.modal = data
        return None

    def _callback_body(self, record: InteractionRecord, kind: int, message: SandboxMessage | None) -> \
            dict[str, Any]:
        inner: dict[str, Any] = {"id": str(record.id), "type": record.type}
        body: dict[str, Any] = {"interaction": inner}
        if message is not None:
            inner.update(response_message_id=str(message.id), response_message_loading=kind == DEFERRED,
                         response_message_ephemeral=message.ephemeral)
            body["resource"] = {"type": kind, "message": message.payload()}
        return body

    # webhooks --------------------------------------------------------------------

    def _record(self, request: web.Request, endpoint: str) -> InteractionRecord:
        state = self.state
        app_id, token = request.match_info["app_id"], request.match_info["token"]
        record = state.by_token.get(token)
        if app_id != str(state.config.application_id) or record is None:
            violation = state.violate("unknown webhook", f"{request.method} {request.path}: no interaction has "
                                      "this application id and token", kind="interaction", endpoint=endpoint)
            raise DiscordHTTPError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation=violation)
        if time.monotonic() - record.created > state.config.token_lifetime:
            violation = state.violate("interaction token used after 15 minutes", f"{record.label}: token expired",
                                      kind="interaction", endpoint=endpoint, interaction=record)
            raise DiscordHTTPError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token", violation=violation)
        return record

    def _original(self, record: InteractionRecord, endpoint: str) -> SandboxMessage:
        state = self.state
        if record.response_type is None:
            violation = state.violate("original response used before the interaction was acknowledged",
                                      f"{record.label}: {endpoint} before any callback", kind="interaction",
                                      endpoint=endpoint, interaction=record)
            raise DiscordHTTPError(404, UNKNOWN_MESSAGE, "Unknown Message", violation=violation)
        message = state.messages.get(record.original_message_id or 0)
        if message is None:
            violation = state.violate("original response does not exist",
                                      f"{record.label}: answered with type {record.response_type}, which left no "
                                      "message (or it was deleted)", kind="interaction", endpoint=endpoint,
                                      interaction=record)
            raise DiscordHTTPError(404, UNKNOWN_MESSAGE, "Unknown Message", violation=violation)
        return message

    def _complete(self, record: InteractionRecord) -> None:
        record.deferred_pending = False
        record.finished.set()

    async def get_original(self, request: web.Request) -> web.StreamResponse:
        """``GET …/messages/@original``."""
        endpoint = "GET /webhooks/{app}/{token}/messages/@original"
        record = self._record(request, endpoint)
        return json_response(self._original(record, endpoint).payload())

    async def edit_original(self, request: web.Request) -> web.StreamResponse:
        """``PATCH …/messages/@original`` (this is also how a deferred reply is completed)."""
        endpoint = "PATCH /webhooks/{app}/{token}/messages/@original"
        record = self._record(request, endpoint)
        message = self._original(record, endpoint)
        payload, uploads = await read_body(request, self.state, endpoint, record)
        await edit_message(self.state, message, payload, uploads, endpoint=endpoint, interaction=record)
        self._complete(record)
        return json_response(message.payload())

    async def delete_original(self, request: web.Request) -> web.StreamResponse:
        """``DELETE …/messages/@original``."""
        endpoint = "DELETE /webhooks/{app}/{token}/messages/@original"
        record = self._record(request, endpoint)
        await delete_message(self.state, self._original(record, endpoint), record)
        self._complete(record)
        return web.Response(status=204)

    async def followup(self, request: web.Request) -> web.StreamResponse:
        """``POST /webhooks/{app}/{token}``: a follow-up (the first one after a defer fills the placeholder)."""
        endpoint = "POST /webhooks/{app}/{token}"
        state = self.state
        record = self._record(request, endpoint)
        if record.response_type is None or record.response_type == CHOICES:
            violation = state.violate("follow-up before the interaction was acknowledged",
                                      f"{record.label}: follow-up sent before any callback", kind="interaction",
                                      endpoint=endpoint, interaction=record)
            raise DiscordHTTPError(404, UNKNOWN_WEBHOOK, "Unknown Webhook", violation=violation)
        payload, uploads = await read_body(request, state, endpoint, record)
        placeholder = state.messages.get(record.original_message_id or 0) if record.deferred_pending else None
        if placeholder is not None and placeholder.loading:
            message = await edit_message(state, placeholder, payload, uploads, endpoint=endpoint,
                                         interaction=record)
        else:
            message = await create_message(
                state, channel_id=record.channel_id, guild_id=record.guild_id, payload=payload, uploads=uploads,
                endpoint=endpoint, interaction=record, allow_ephemeral=True)
        record.followup_ids.append(message.id)
        self._complete(record)
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(message.payload())
        return web.Response(status=204)

    def _followup_message(self, request: web.Request, record: InteractionRecord, endpoint: str) -> SandboxMessage:
        raw = request.match_info["message_id"]
        ident = int(raw) if raw.isdigit() else 0
        message = self.state.messages.get(ident)
        if message is None or (ident not in record.followup_ids and ident != record.original_message_id):
            violation = self.state.violate("unknown follow-up message",
                                           f"{record.label}: message {raw} is not a response to this interaction",
                                           kind="interaction", endpoint=endpoint, interaction=record)
            raise DiscordHTTPError(404, UNKNOWN_MESSAGE, "Unknown Message", violation=violation)
        return message

    async def get_followup(self, request: web.Request) -> web.StreamResponse:
        """``GET …/messages/{id}``."""
        endpoint = "GET /webhooks/{app}/{token}/messages/{id}"
        record = self._record(request, endpoint)
        return json_response(self._followup_message(request, record, endpoint).payload())

    async def edit_followup(self, request: web.Request) -> web.StreamResponse:
        """``PATCH …/messages/{id}``."""
        endpoint = "PATCH /webhooks/{app}/{token}/messages/{id}"
        record = self._record(request, endpoint)
        message = self._followup_message(request, record, endpoint)
        payload, uploads = await read_body(request, self.state, endpoint, record)
        await edit_message(self.state, message, payload, uploads, endpoint=endpoint, interaction=record)
        if message.id == record.original_message_id:
            self._complete(record)
        return json_response(message.payload())

    async def delete_followup(self, request: web.Request) -> web.StreamResponse:
        """``DELETE …/messages/{id}``."""
        endpoint = "DELETE /webhooks/{app}/{token}/messages/{id}"
        record = self._record(request, endpoint)
        await delete_message(self.state, self._followup_message(request, record, endpoint), record)
        return web.Response(status=204)
