"""A modal the bot opened, read from its payload, and the submission a user would send back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox.components import ACTION_ROW, LABEL, SELECTS, TEXT_DISPLAY, TEXT_INPUT
from sandbox.errors import SandboxUsageError

SHORT, PARAGRAPH = 1, 2


@dataclass
class ModalField:
    """One input of a modal: a text input (short or paragraph) or a select."""

    custom_id: str
    label: str
    type: int = TEXT_INPUT
    style: int = SHORT
    required: bool = True
    min_length: int | None = None
    max_length: int | None = None
    placeholder: str | None = None
    value: str | None = None  # pre-filled text
    description: str | None = None
    options: list[dict[str, Any]] = field(default_factory=list)
    min_values: int = 1
    max_values: int = 1
    in_label: bool = False

    @property
    def paragraph(self) -> bool:
        """A multi-line text input."""
        return self.type == TEXT_INPUT and self.style == PARAGRAPH

    def check(self, value: str | list[str] | None) -> None:
        """Refuse what the Discord client would not let a user submit."""
        if self.type == TEXT_INPUT:
            text = value if isinstance(value, str) else ""
            if not text:
                if self.required:
                    raise SandboxUsageError(f"modal field {self.label!r} is required")
                return
            if self.min_length is not None and len(text) < self.min_length:
                raise SandboxUsageError(f"modal field {self.label!r} needs at least {self.min_length} characters")
            if self.max_length is not None and len(text) > self.max_length:
                raise SandboxUsageError(f"modal field {self.label!r} takes at most {self.max_length} characters")
            return
        values = [value] if isinstance(value, str) else list(value or [])
        if len(values) < (self.min_values if self.required else 0) or len(values) > self.max_values:
            raise SandboxUsageError(f"modal field {self.label!r} takes {self.min_values}..{self.max_values} values")


@dataclass
class ModalView:
    """The modal as the user sees it."""

    custom_id: str
    title: str
    fields: list[ModalField]
    texts: list[str]
    raw: dict[str, Any]

    @classmethod
    def parse(cls, data: dict[str, Any]) -> ModalView:
        """Read a type-9 callback's ``data``."""
        fields: list[ModalField] = []
        texts: list[str] = []
        for top in data.get("components") or []:
            if top.get("type") == ACTION_ROW:
                for inner in top.get("components") or []:
                    fields.append(_field(inner, str(inner.get("label") or inner.get("custom_id")), None, False))
            elif top.get("type") == LABEL and isinstance(top.get("component"), dict):
                fields.append(_field(top["component"], str(top.get("label") or ""), top.get("description"), True))
            elif top.get("type") == TEXT_DISPLAY:
                texts.append(str(top.get("content") or ""))
        return cls(str(data.get("custom_id")), str(data.get("title")), fields, texts, data)

    def field(self, key: str) -> ModalField:
        """A field by custom_id or label (case-insensitive)."""
        for item in self.fields:
            if key == item.custom_id:
                return item
        for item in self.fields:
            if key.strip().lower() == item.label.strip().lower():
                return item
        raise SandboxUsageError(f"modal {self.title!r} has no field {key!r}; fields: "
                                f"{[f.label for f in self.fields]}")

    def submission(self, values: Mapping[str, str | Sequence[str]]) -> list[dict[str, Any]]:
        """The ``components`` of the modal-submit interaction for these values (keys: custom_id or label)."""
        given: dict[str, str | list[str]] = {}
        for key, raw in values.items():
            given[self.field(key).custom_id] = raw if isinstance(raw, str) else list(raw)
        out: list[dict[str, Any]] = []
        for item in self.fields:
            value: str | list[str] | None = given.get(item.custom_id)
            if value is None and item.type == TEXT_INPUT and item.value:
                value = item.value
            item.check(value)
            if item.type == TEXT_INPUT:
                inner: dict[str, Any] = {"type": TEXT_INPUT, "custom_id": item.custom_id,
                                         "value": value if isinstance(value, str) else ""}
            else:
                chosen = [value] if isinstance(value, str) else list(value or [])
                if item.type == 3:
                    allowed = {str(o.get("value")): o for o in item.options}
                    labels = {str(o.get("label")): str(o.get("value")) for o in item.options}
                    chosen = [c if c in allowed else labels.get(c, c) for c in chosen]
                    bad = [c for c in chosen if c not in allowed]
                    if bad:
                        raise SandboxUsageError(f"modal field {item.label!r} has no option {bad[0]!r}")
                inner = {"type": item.type, "custom_id": item.custom_id, "values": chosen}
            out.append({"type": LABEL, "component": inner} if item.in_label else
                       {"type": ACTION_ROW, "components": [inner]})
        return out


def _field(component: dict[str, Any], label: str, description: object, in_label: bool) -> ModalField:
    kind = int(component.get("type") or TEXT_INPUT)
    required = component.get("required")
    return ModalField(
        custom_id=str(component.get("custom_id")), label=label, type=kind,
        style=int(component.get("style") or SHORT),
        required=bool(required) if required is not None else kind == TEXT_INPUT or kind in SELECTS,
        min_length=component.get("min_length"), max_length=component.get("max_length"),
        placeholder=component.get("placeholder"), value=component.get("value"),
        description=description if isinstance(description, str) else None,
        options=list(component.get("options") or []),
        min_values=int(component.get("min_values", 1)), max_values=int(component.get("max_values", 1)),
        in_label=in_label,
    )
