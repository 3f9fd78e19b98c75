"""Discord's limits on message bodies (content, embeds, attachments, allowed_mentions) and autocomplete."""

from __future__ import annotations

from typing import Any

from sandbox.components import check_message_components
from sandbox.errors import Breach

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ATTACHMENTS_MAX = 10
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_VALUE_MAX = 100
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15


def max_length(name: str, path: str, value: object, limit: int, what: str) -> list[Breach]:
    """A breach named ``name`` when the string ``value`` is longer than ``limit``."""
    if isinstance(value, str) and len(value) > limit:
        return [Breach(name, path, f"{what} is {len(value)} characters (limit {limit})",
                       "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def too_many(name: str, path: str, items: object, limit: int, what: str) -> list[Breach]:
    """A breach named ``name`` when the list ``items`` has more than ``limit`` entries."""
    if isinstance(items, list) and len(items) > limit:
        return [Breach(name, path, f"{len(items)} {what} (limit {limit})",
                       "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def required(name: str, path: str, value: object, what: str) -> list[Breach]:
    """A breach when ``value`` is missing or an empty/blank string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return [Breach(name, path, f"{what} is missing or empty", "BASE_TYPE_REQUIRED", "This field is required")]
    return []


def _url(path: str, value: object, what: str) -> list[Breach]:
    if value is None:
        return []
    if not isinstance(value, str) or not value.startswith(("http://", "https://", "attachment://")):
        return [Breach("embed URL is not a well formed URL", path, f"{what} is {value!r}",
                       "URL_TYPE_INVALID_URL", "Not a well formed URL.")]
    return []


def embed_text_length(embed: dict[str, Any]) -> int:
    """The characters Discord counts towards the 6000 total: title, description, fields, footer, author."""
    total = len(str(embed.get("title") or "")) + len(str(embed.get("description") or ""))
    for field in embed.get("fields") or []:
        if isinstance(field, dict):
            total += len(str(field.get("name") or "")) + len(str(field.get("value") or ""))
    total += len(str((embed.get("footer") or {}).get("text") or ""))
    total += len(str((embed.get("author") or {}).get("name") or ""))
    return total


def check_embed(embed: dict[str, Any], path: str) -> list[Breach]:
    """Every per-embed limit for one embed at ``path`` (e.g. ``embeds.0``)."""
    out: list[Breach] = []
    out += max_length("embed title > 256 characters", f"{path}.title", embed.get("title"), EMBED_TITLE_MAX,
                      "embed title")
    out += max_length("embed description > 4096 characters", f"{path}.description", embed.get("description"),
                      EMBED_DESCRIPTION_MAX, "embed description")
    fields = embed.get("fields") or []
    out += too_many("more than 25 embed fields", f"{path}.fields", fields, EMBED_FIELDS_MAX, "fields")
    for i, field in enumerate(fields if isinstance(fields, list) else []):
        fpath = f"{path}.fields.{i}"
        name, value = field.get("name"), field.get("value")
        out += required("embed field name is empty", f"{fpath}.name", name, f"field {i} name")
        out += required("embed field value is empty", f"{fpath}.value", value, f"field {i} value")
        out += max_length("embed field name > 256 characters", f"{fpath}.name", name, EMBED_FIELD_NAME_MAX,
                          f"field {i} name")
        out += max_length("embed field value > 1024 characters", f"{fpath}.value", value, EMBED_FIELD_VALUE_MAX,
                          f"field {i} value")
    footer = embed.get("footer") or {}
    out += max_length("embed footer text > 2048 characters", f"{path}.footer.text", footer.get("text"),
                      EMBED_FOOTER_MAX, "embed footer text")
    author = embed.get("author") or {}
    out += max_length("embed author name > 256 characters", f"{path}.author.name", author.get("name"),
                      EMBED_AUTHOR_MAX, "embed author name")
    out += _url(f"{path}.url", embed.get("url"), "embed url")
    out += _url(f"{path}.image.url", (embed.get("image") or {}).get("url"), "embed image url")
    out += _url(f"{path}.thumbnail.url", (embed.get("thumbnail") or {}).get("url"), "embed thumbnail url")
    out += _url(f"{path}.author.url", author.get("url"), "embed author url")
    out += _url(f"{path}.author.icon_url", author.get("icon_url"), "embed author icon url")
    out += _url(f"{path}.footer.icon_url", footer.get("icon_url"), "embed footer icon url")
    color = embed.get("color")
    if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
        out.append(Breach("embed color out of range", f"{path}.color", f"color is {color!r}",
                          "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215."))
    return out


def check_allowed_mentions(value: object) -> list[Breach]:
    """The shape rules of ``allowed_mentions`` (parse and an id list for the same kind are exclusive)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [Breach("allowed_mentions is not an object", "allowed_mentions", repr(value), "DICT_TYPE_CONVERT",
                       "Only dictionaries may be used in a DictType")]
    out: list[Breach] = []
    parse = value.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and value.get(kind):
            out.append(Breach(f"allowed_mentions parse and {kind} list both given", "allowed_mentions",
                              f"parse contains {kind!r} and {kind} lists ids",
                              "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                              f"parse:[\"{kind}\"] and {kind}: [ids] are mutually exclusive."))
        out += too_many(f"allowed_mentions {kind} list > 100", f"allowed_mentions.{kind}", value.get(kind), 100,
                        f"{kind} ids")
    return out


def has_body(payload: dict[str, Any], attachment_count: int) -> bool:
    """Whether a message would show anything (Discord refuses an empty message with 50006)."""
    content = payload.get("content")
    return bool(
        (isinstance(content, str) and content.strip())
        or payload.get("embeds")
        or payload.get("components")
        or payload.get("sticker_ids")
        or payload.get("poll")
        or attachment_count
    )


def check_message(payload: dict[str, Any], attachment_count: int) -> list[Breach]:
    """Every limit on a message create/edit body (paths relative to the message object)."""
    out: list[Breach] = []
    content = payload.get("content")
    out += max_length("message content > 2000 characters", "content", content, CONTENT_MAX, "content")
    embeds = payload.get("embeds") or []
    if not isinstance(embeds, list):
        embeds = []
    out += too_many("more than 10 embeds", "embeds", embeds, EMBEDS_MAX, "embeds")
    for i, embed in enumerate(embeds):
        if isinstance(embed, dict):
            out += check_embed(embed, f"embeds.{i}")
    total = sum(embed_text_length(e) for e in embeds if isinstance(e, dict))
    if total > EMBED_TOTAL_MAX:
        out.append(Breach("embeds total > 6000 characters", "embeds",
                          f"all embeds together hold {total} characters (limit {EMBED_TOTAL_MAX})",
                          "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"))
    flags = payload.get("flags") or 0
    v2 = bool(isinstance(flags, int) and flags & FLAG_COMPONENTS_V2)
    if v2 and (content or embeds):
        out.append(Breach("components v2 message with content or embeds", "content",
                          "a message flagged IS_COMPONENTS_V2 may not set content or embeds",
                          "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                          "The 'content' and 'embeds' fields cannot be used when using components v2"))
    components = payload.get("components")
    if isinstance(components, list):
        out += check_message_components(components, v2=v2)
    if attachment_count > ATTACHMENTS_MAX:
        out.append(Breach("more than 10 attachments", "attachments",
                          f"{attachment_count} attachments (limit {ATTACHMENTS_MAX})",
                          "BASE_TYPE_MAX_LENGTH", f"Must be {ATTACHMENTS_MAX} or fewer in length."))
    out += check_allowed_mentions(payload.get("allowed_mentions"))
    return out


def check_autocomplete(data: dict[str, Any], option_type: int) -> list[Breach]:
    """The limits on an autocomplete result (type 8) for an option of ``option_type``."""
    choices = data.get("choices")
    if not isinstance(choices, list):
        return [Breach("autocomplete result without choices", "choices", "choices is missing",
                       "BASE_TYPE_REQUIRED", "This field is required")]
    out = too_many("autocomplete > 25 choices", "choices", choices, CHOICES_MAX, "choices")
    for i, choice in enumerate(choices):
        path = f"choices.{i}"
        name, value = choice.get("name"), choice.get("value")
        out += required("autocomplete choice name is empty", f"{path}.name", name, f"choice {i} name")
        out += max_length("autocomplete choice name > 100 characters", f"{path}.name", name, CHOICE_NAME_MAX,
                          f"choice {i} name")
        expected: tuple[type, ...] = {3: (str,), 4: (int,), 10: (int, float)}.get(option_type, (str, int, float))
        if isinstance(value, bool) or not isinstance(value, expected):
            out.append(Breach("autocomplete choice value has the wrong type", f"{path}.value",
                              f"choice {i} value {value!r} does not fit option type {option_type}",
                              "BASE_TYPE_BAD_TYPE", "Value is of the wrong type."))
        out += max_length("autocomplete choice value > 100 characters", f"{path}.value", value, CHOICE_VALUE_MAX,
                          f"choice {i} value")
    return out
