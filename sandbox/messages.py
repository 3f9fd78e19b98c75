"""Creating and editing messages from request bodies: JSON or multipart, with limits and ping checks."""

from __future__ import annotations

import json
import logging
import mimetypes
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.errors import EMPTY_MESSAGE, Breach, DiscordHTTPError
from sandbox.limits import FLAG_COMPONENTS_V2, FLAG_EPHEMERAL, FLAG_LOADING, check_message, has_body
from sandbox.mentions import find_pings
from sandbox.state import SandboxState
from sandbox.store import InteractionRecord, SandboxAttachment, SandboxMessage, iso_now
from sandbox.world import GUILD_MESSAGES_INTENT

log = logging.getLogger(__name__)

SUPPRESS_EMBEDS = 1 << 2
SUPPRESS_NOTIFICATIONS = 1 << 12
SETTABLE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | FLAG_COMPONENTS_V2
DM_MESSAGES_INTENT = 1 << 12


@dataclass
class Upload:
    """One ``files[n]`` part of a multipart request."""

    index: int
    filename: str
    data: bytes
    content_type: str | None


async def read_body(request: web.Request, state: SandboxState, endpoint: str,
                    interaction: InteractionRecord | None = None) -> tuple[dict[str, Any], list[Upload]]:
    """The JSON payload (from the body or ``payload_json``) and any uploaded files."""
    uploads: list[Upload] = []
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        raw = form.get("payload_json")
        payload = _json(raw if isinstance(raw, str) else "{}")
        for name, value in form.items():
            if name.startswith("files[") and isinstance(value, web.FileField):
                index = int(name[6:-1]) if name[6:-1].isdigit() else len(uploads)
                uploads.append(Upload(index, value.filename, value.file.read(), value.content_type))
    else:
        text = await request.text()
        payload = _json(text) if text.strip() else {}
    if not isinstance(payload, dict):
        raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.")
    limit = state.config.max_upload_bytes
    for upload in uploads:
        if len(upload.data) > limit:
            mib = 1024 * 1024
            name = f"attachment > {limit // mib} MiB" if limit % mib == 0 else f"attachment > {limit} bytes"
            violation = state.violate(name, f"{upload.filename!r} is {len(upload.data)} bytes (limit {limit})",
                                      endpoint=endpoint, interaction=interaction)
            raise DiscordHTTPError(413, 40005, "Request entity too large", violation=violation)
    return payload, uploads


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise DiscordHTTPError(400, 50109, "The request body contains invalid JSON.") from None


def _attachments(state: SandboxState, channel_id: int, payload: dict[str, Any], uploads: list[Upload],
                 existing: list[SandboxAttachment]) -> tuple[list[SandboxAttachment], list[Breach]]:
    """The message's attachments after this request: kept ones by id, then new uploads."""
    by_index = {u.index: u for u in uploads}
    kept_ids = {a.id: a for a in existing}
    listed = payload.get("attachments")
    out: list[SandboxAttachment] = []
    breaches: list[Breach] = []
    if isinstance(listed, list):
        for i, item in enumerate(listed):
            raw = str(item.get("id")) if isinstance(item, dict) else ""
            ident = int(raw) if raw.isdigit() else -1
            if ident in kept_ids:
                out.append(kept_ids[ident])
            elif ident in by_index:
                upload = by_index[ident]
                out.append(_stored(state, channel_id, upload, item.get("filename") or upload.filename,
                                   item.get("description")))
            else:
                breaches.append(Breach("unknown attachment", f"attachments.{i}.id",
                                       f"attachment id {raw!r} is neither an upload nor an existing attachment",
                                       "ATTACHMENT_NOT_FOUND", "Unknown attachment"))
    else:
        out.extend(existing)
    if not isinstance(listed, list):
        out.extend(_stored(state, channel_id, u, u.filename, None) for u in uploads)
    return out, breaches


def _stored(state: SandboxState, channel_id: int, upload: Upload, filename: str,
            description: object) -> SandboxAttachment:
    ident = state.ids.next()
    guessed = mimetypes.guess_type(filename)[0]
    content_type = guessed or (upload.content_type if upload.content_type != "application/octet-stream" else None)
    return SandboxAttachment(ident, filename, upload.data, f"{state.cdn_base}/attachments/{channel_id}/{ident}/"
                             f"{filename}", content_type, description if isinstance(description, str) else None)


def validate(state: SandboxState, merged: dict[str, Any], attachment_count: int, *, prefix: str, endpoint: str,
             interaction: InteractionRecord | None, extra: list[Breach] | None = None) -> None:
    """Raise Discord's 400 (and record violations) if the message would break a limit or be empty."""
    breaches = list(extra or []) + check_message(merged, attachment_count)
    if breaches:
        raise state.reject(breaches, prefix=prefix, endpoint=endpoint, interaction=interaction)
    if not has_body(merged, attachment_count):
        violation = state.violate("empty message", "no content, embeds, components or files", kind="limit",
                                  endpoint=endpoint, interaction=interaction)
        raise DiscordHTTPError(400, EMPTY_MESSAGE, "Cannot send an empty message", violation=violation)


def note_pings(state: SandboxState, message: SandboxMessage, *, endpoint: str,
               interaction: InteractionRecord | None) -> None:
    """Work out who the message notifies; report each ping as a violation (unless explicitly allowed)."""
    world = state.world
    replied: int | None = None
    if message.message_reference:
        raw_id = str(message.message_reference.get("message_id", ""))
        target = state.messages.get(int(raw_id)) if raw_id.isdigit() else None
        replied = target.author_id if target else None
    guild = next((g for g in state.config.guilds if g.id == message.guild_id), None)

    def role_label(role_id: int) -> str:
        if guild is not None:
            try:
                return "@" + guild.role(role_id).name
            except KeyError:
                pass
        return f"<@&{role_id}>"

    def user_label(user_id: int) -> str:
        user = world.find_user(user_id)
        return "@" + user.name if user else f"<@{user_id}>"

    pings = find_pings(message.content, message.allowed_mentions, replied_user_id=replied,
                       self_id=world.bot.id, user_label=user_label, role_label=role_label)
    message.pings = pings
    message.mentions = []
    for ping in pings:
        user = world.find_user(ping.target_id) if ping.target_id and not ping.rule.endswith("a role") else None
        if user is not None and all(m["id"] != str(user.id) for m in message.mentions):
            message.mentions.append(world.user_payload(user))
    if message.ephemeral:
        return  # nobody is notified by an ephemeral message
    for ping in pings:
        if ping.explicit and state.config.allow_explicit_pings:
            continue
        sent = "absent (Discord then parses everything)" if message.allowed_mentions is None else json.dumps(
            message.allowed_mentions, sort_keys=True)
        state.violate(ping.rule, f"message {message.id} would notify {ping.label}; allowed_mentions {sent}",
                      kind="ping", endpoint=endpoint, interaction=interaction)


async def create_message(
    state: SandboxState,
    *,
    channel_id: int,
    guild_id: int | None,
    payload: dict[str, Any],
    uploads: list[Upload],
    endpoint: str,
    prefix: str = "",
    interaction: InteractionRecord | None = None,
    msg_type: int = 0,
    allow_ephemeral: bool = False,
    loading: bool = False,
) -> SandboxMessage:
    """Validate and store a new message by the bot (``loading`` = a deferred "thinking" placeholder)."""
    flags = int(payload.get("flags") or 0)
    keep = SETTABLE_FLAGS | (FLAG_EPHEMERAL if allow_ephemeral else 0)
    attachments, extra = _attachments(state, channel_id, payload, uploads, [])
    if not loading:
        validate(state, payload, len(attachments), prefix=prefix, endpoint=endpoint, interaction=interaction,
                 extra=extra)
    reference = payload.get("message_reference")
    if isinstance(reference, dict) and not loading:
        _check_reference(state, reference, prefix=prefix, endpoint=endpoint, interaction=interaction)
    message = SandboxMessage(
        id=state.ids.next(), channel_id=channel_id, guild_id=guild_id, author=state.world.user_payload(state.world.bot),
        content=str(payload.get("content") or ""), embeds=list(payload.get("embeds") or []),
        components=list(payload.get("components") or []), attachments=attachments,
        flags=(flags & keep) | (FLAG_LOADING if loading else 0), type=msg_type, tts=bool(payload.get("tts")),
        allowed_mentions=payload.get("allowed_mentions"),
        message_reference=reference if isinstance(reference, dict) else None,
        interaction_id=interaction.id if interaction else None,
    )
    if interaction is not None:
        message.webhook_id = state.config.application_id
        message.application_id = state.config.application_id
        message.interaction_metadata = {
            "id": str(interaction.id), "type": interaction.type,
            "user": state.world.user_payload(state.world.user(interaction.user_id)),
            "authorizing_integration_owners": {"0": str(guild_id)} if guild_id else {"1": str(interaction.user_id)},
        }
        if interaction.source_message_id is not None:
            message.interaction_metadata["interacted_message_id"] = str(interaction.source_message_id)
    state.messages.add(message)
    if not loading:
        note_pings(state, message, endpoint=endpoint, interaction=interaction)
    if interaction is not None:
        interaction.touch(message.id)
    if not message.ephemeral:
        await state.emit("MESSAGE_CREATE", message.payload(), _intent(guild_id))
    return message


def _check_reference(state: SandboxState, reference: dict[str, Any], *, prefix: str, endpoint: str,
                     interaction: InteractionRecord | None) -> None:
    raw = str(reference.get("message_id", ""))
    if raw.isdigit() and state.messages.get(int(raw)) is not None:
        return
    if reference.get("fail_if_not_exists", True):
        path = f"{prefix}.message_reference" if prefix else "message_reference"
        raise state.reject([Breach("reply to an unknown message", path, f"message {raw!r} does not exist",
                                   "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")],
                           endpoint=endpoint, interaction=interaction)


def _intent(guild_id: int | None) -> int:
    return GUILD_MESSAGES_INTENT if guild_id is not None else DM_MESSAGES_INTENT


async def edit_message(
    state: SandboxState,
    message: SandboxMessage,
    payload: dict[str, Any],
    uploads: list[Upload],
    *,
    endpoint: str,
    prefix: str = "",
    interaction: InteractionRecord | None = None,
) -> SandboxMessage:
    """Validate and apply an edit (fields absent from ``payload`` stay as they are)."""
    merged: dict[str, Any] = {
        "content": message.content, "embeds": message.embeds, "components": message.components,
        "flags": message.flags, "allowed_mentions": message.allowed_mentions,
    }
    for key in ("content", "embeds", "components", "allowed_mentions"):
        if key in payload:
            merged[key] = payload[key]
    if "flags" in payload:
        merged["flags"] = (message.flags & ~SETTABLE_FLAGS) | (int(payload["flags"] or 0) & SETTABLE_FLAGS)
    attachments, extra = _attachments(state, message.channel_id, payload, uploads, message.attachments)
    validate(state, merged, len(attachments), prefix=prefix, endpoint=endpoint, interaction=interaction,
             extra=extra)
    was_loading = message.loading
    message.content = str(merged["content"] or "")
    message.embeds = list(merged["embeds"] or [])
    message.components = list(merged["components"] or [])
    message.allowed_mentions = merged["allowed_mentions"]
    message.flags = int(merged["flags"]) & ~FLAG_LOADING
    message.attachments = attachments
    if was_loading:
        note_pings(state, message, endpoint=endpoint, interaction=interaction)  # the deferred reply "arrives"
    else:
        message.edits += 1
        message.edited_timestamp = iso_now()
    state.messages.note("edit", message.id)
    if interaction is not None:
        interaction.touch(message.id)
    if not message.ephemeral:
        await state.emit("MESSAGE_UPDATE", message.payload(), _intent(message.guild_id))
    return message


async def delete_message(state: SandboxState, message: SandboxMessage,
                         interaction: InteractionRecord | None = None) -> None:
    """Delete a message (it disappears from its channel)."""
    message.deleted = True
    state.messages.note("delete", message.id)
    if interaction is not None:
        interaction.touch(message.id)
    if not message.ephemeral:
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        await state.emit("MESSAGE_DELETE", data, _intent(message.guild_id))
