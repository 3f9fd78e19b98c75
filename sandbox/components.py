"""Discord's limits on message components (action rows, buttons, selects) and on modals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox.errors import Breach

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT = 5, 6, 7, 8
SECTION, TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER, LABEL = 9, 10, 11, 12, 13, 14, 17, 18
SELECTS = frozenset({STRING_SELECT, USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT})
LINK_STYLE, PREMIUM_STYLE = 5, 6
ROWS_MAX = 5
ROW_WIDTH = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
V2_COMPONENTS_MAX = 40
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
INPUT_LABEL_MAX = 45
INPUT_LENGTH_MAX = 4000


def _long(name: str, path: str, value: object, limit: int, what: str) -> list[Breach]:
    if isinstance(value, str) and len(value) > limit:
        return [Breach(name, path, f"{what} is {len(value)} characters (limit {limit})",
                       "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _missing(name: str, path: str, value: object, what: str) -> list[Breach]:
    if value is None or value == "":
        return [Breach(name, path, f"{what} is missing", "BASE_TYPE_REQUIRED", "This field is required")]
    return []


def _custom_id(path: str, value: object) -> list[Breach]:
    return _missing("component without custom_id", f"{path}.custom_id", value, "custom_id") + _long(
        "custom_id > 100 characters", f"{path}.custom_id", value, CUSTOM_ID_MAX, f"custom_id {value!r}"
    )


def walk(components: list[Any], path: str = "components") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every component (nested ones too) with its form path."""
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            continue
        here = f"{path}.{i}"
        yield here, component
        if isinstance(component.get("components"), list):
            yield from walk(component["components"], f"{here}.components")
        if isinstance(component.get("component"), dict):
            yield f"{here}.component", component["component"]
        if isinstance(component.get("accessory"), dict):
            yield f"{here}.accessory", component["accessory"]


def _check_button(path: str, button: dict[str, Any]) -> list[Breach]:
    style = button.get("style")
    out: list[Breach] = []
    if style == LINK_STYLE:
        out += _missing("link button without url", f"{path}.url", button.get("url"), "url")
    elif style != PREMIUM_STYLE:
        out += _custom_id(path, button.get("custom_id"))
    if style != PREMIUM_STYLE and not button.get("label") and not button.get("emoji"):
        out.append(Breach("button without label or emoji", f"{path}.label", "the button shows nothing",
                          "BUTTON_COMPONENT_INVALID", "A button must have a label or an emoji"))
    out += _long("button label > 80 characters", f"{path}.label", button.get("label"), BUTTON_LABEL_MAX,
                 "button label")
    return out


def _check_select(path: str, select: dict[str, Any]) -> list[Breach]:
    out = _custom_id(path, select.get("custom_id"))
    out += _long("select placeholder > 150 characters", f"{path}.placeholder", select.get("placeholder"), 150,
                 "placeholder")
    options = select.get("options") or []
    lo, hi = select.get("min_values", 1), select.get("max_values", 1)
    if select.get("type") == STRING_SELECT:
        if not options:
            out.append(Breach("select menu without options", f"{path}.options", "no options",
                              "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
        if len(options) > SELECT_OPTIONS_MAX:
            out.append(Breach("select menu > 25 options", f"{path}.options",
                              f"{len(options)} options (limit {SELECT_OPTIONS_MAX})",
                              "BASE_TYPE_MAX_LENGTH", f"Must be {SELECT_OPTIONS_MAX} or fewer in length."))
        seen: set[object] = set()
        for j, option in enumerate(options):
            opath = f"{path}.options.{j}"
            out += _missing("select option without label", f"{opath}.label", option.get("label"), "label")
            out += _missing("select option without value", f"{opath}.value", option.get("value"), "value")
            out += _long("select option label > 100 characters", f"{opath}.label", option.get("label"), 100, "label")
            out += _long("select option value > 100 characters", f"{opath}.value", option.get("value"), 100, "value")
            out += _long("select option description > 100 characters", f"{opath}.description",
                         option.get("description"), 100, "description")
            if option.get("value") in seen:
                out.append(Breach("duplicate select option value", f"{opath}.value",
                                  f"value {option.get('value')!r} appears twice",
                                  "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Option values must be unique"))
            seen.add(option.get("value"))
        if isinstance(hi, int) and options and hi > len(options):
            out.append(Breach("select max_values > number of options", f"{path}.max_values",
                              f"max_values {hi} but only {len(options)} options",
                              "SELECT_COMPONENT_MAX_VALUES_TOO_HIGH", "max_values must be <= number of options"))
    if isinstance(lo, int) and not 0 <= lo <= SELECT_OPTIONS_MAX:
        out.append(Breach("select min_values out of range", f"{path}.min_values", f"min_values is {lo}",
                          "NUMBER_TYPE_MAX", "int value should be less than or equal to 25."))
    if isinstance(hi, int) and not 1 <= hi <= SELECT_OPTIONS_MAX:
        out.append(Breach("select max_values out of range", f"{path}.max_values", f"max_values is {hi}",
                          "NUMBER_TYPE_MAX", "int value should be less than or equal to 25."))
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        out.append(Breach("select min_values > max_values", f"{path}.min_values", f"{lo} > {hi}",
                          "SELECT_COMPONENT_MIN_VALUES_TOO_HIGH", "min_values must be <= max_values"))
    return out


def _check_row(path: str, row: dict[str, Any]) -> list[Breach]:
    children = [c for c in row.get("components") or [] if isinstance(c, dict)]
    out: list[Breach] = []
    if not children:
        out.append(Breach("empty action row", f"{path}.components", "the action row holds no component",
                          "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
    if len(children) > ROW_WIDTH:
        out.append(Breach("more than 5 buttons in an action row", f"{path}.components",
                          f"{len(children)} components in one row (limit {ROW_WIDTH})",
                          "BASE_TYPE_MAX_LENGTH", f"Must be {ROW_WIDTH} or fewer in length."))
    if any(c.get("type") in SELECTS for c in children) and len(children) > 1:
        out.append(Breach("select menu not alone in its action row", f"{path}.components",
                          "a select menu takes a whole action row", "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                          "The specified component exceeds the maximum width"))
    for j, child in enumerate(children):
        if child.get("type") not in (BUTTON, *SELECTS):
            out.append(Breach("invalid component in an action row", f"{path}.components.{j}.type",
                              f"component type {child.get('type')!r} cannot go in a message action row",
                              "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (2, 3, 5, 6, 7, 8)."))
    return out


def check_message_components(components: list[Any], *, v2: bool) -> list[Breach]:
    """Every limit on a message's ``components`` (legacy rows, or components v2 when ``v2``)."""
    out: list[Breach] = []
    if not v2:
        if len(components) > ROWS_MAX:
            out.append(Breach("more than 5 action rows", "components",
                              f"{len(components)} action rows (limit {ROWS_MAX})",
                              "BASE_TYPE_MAX_LENGTH", f"Must be {ROWS_MAX} or fewer in length."))
        for i, row in enumerate(components):
            if isinstance(row, dict) and row.get("type") != ACTION_ROW:
                out.append(Breach("top-level component is not an action row", f"components.{i}.type",
                                  f"type {row.get('type')!r} needs the IS_COMPONENTS_V2 flag",
                                  "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1,)."))
    everything = list(walk(components))
    if v2 and len(everything) > V2_COMPONENTS_MAX:
        out.append(Breach("more than 40 components", "components",
                          f"{len(everything)} components in total (limit {V2_COMPONENTS_MAX})",
                          "BASE_TYPE_MAX_LENGTH", f"Must be {V2_COMPONENTS_MAX} or fewer in length."))
    ids: dict[str, str] = {}
    text_total = 0
    for path, component in everything:
        kind = component.get("type")
        if kind == ACTION_ROW:
            out += _check_row(path, component)
        elif kind == BUTTON:
            out += _check_button(path, component)
        elif kind in SELECTS:
            out += _check_select(path, component)
        elif kind == TEXT_DISPLAY:
            text_total += len(str(component.get("content") or ""))
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in ids:
                out.append(Breach("duplicate custom_id", f"{path}.custom_id",
                                  f"custom_id {custom_id!r} is also used at {ids[custom_id]}",
                                  "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"))
            ids.setdefault(custom_id, path)
    if text_total > INPUT_LENGTH_MAX:
        out.append(Breach("text display content > 4000 characters", "components",
                          f"text displays hold {text_total} characters (limit {INPUT_LENGTH_MAX})",
                          "BASE_TYPE_MAX_LENGTH", f"Must be {INPUT_LENGTH_MAX} or fewer in length."))
    return out


def _check_text_input(path: str, text_input: dict[str, Any], *, labelled: bool) -> list[Breach]:
    out = _custom_id(path, text_input.get("custom_id"))
    if not labelled:
        out += _missing("text input without label", f"{path}.label", text_input.get("label"), "label")
    out += _long("text input label > 45 characters", f"{path}.label", text_input.get("label"), INPUT_LABEL_MAX,
                 "text input label")
    out += _long("text input placeholder > 100 characters", f"{path}.placeholder", text_input.get("placeholder"),
                 100, "placeholder")
    out += _long("text input value > 4000 characters", f"{path}.value", text_input.get("value"), INPUT_LENGTH_MAX,
                 "pre-filled value")
    if text_input.get("style") not in (1, 2):
        out.append(Breach("text input style invalid", f"{path}.style", f"style is {text_input.get('style')!r}",
                          "BASE_TYPE_CHOICES", "Value must be one of {1, 2}."))
    lo, hi = text_input.get("min_length"), text_input.get("max_length")
    if isinstance(hi, int) and not 1 <= hi <= INPUT_LENGTH_MAX:
        out.append(Breach("text input max_length > 4000", f"{path}.max_length", f"max_length is {hi}",
                          "NUMBER_TYPE_MAX", f"int value should be less than or equal to {INPUT_LENGTH_MAX}."))
    if isinstance(lo, int) and not 0 <= lo <= INPUT_LENGTH_MAX:
        out.append(Breach("text input min_length > 4000", f"{path}.min_length", f"min_length is {lo}",
                          "NUMBER_TYPE_MAX", f"int value should be less than or equal to {INPUT_LENGTH_MAX}."))
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        out.append(Breach("text input min_length > max_length", f"{path}.min_length", f"{lo} > {hi}",
                          "BASE_TYPE_BAD_LENGTH", "min_length must be <= max_length"))
    return out


def check_modal(data: dict[str, Any]) -> list[Breach]:
    """Every limit on a modal (callback type 9); paths relative to the callback's ``data``."""
    out = _missing("modal without title", "title", data.get("title"), "title")
    out += _long("modal title > 45 characters", "title", data.get("title"), MODAL_TITLE_MAX, "modal title")
    out += _missing("modal without custom_id", "custom_id", data.get("custom_id"), "custom_id")
    out += _long("modal custom_id > 100 characters", "custom_id", data.get("custom_id"), CUSTOM_ID_MAX,
                 "modal custom_id")
    components = data.get("components")
    if not isinstance(components, list) or not components:
        return [*out, Breach("modal without components", "components", "a modal needs 1 to 5 components",
                             "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")]
    if len(components) > MODAL_COMPONENTS_MAX:
        out.append(Breach("modal has more than 5 components", "components",
                          f"{len(components)} components (limit {MODAL_COMPONENTS_MAX})",
                          "BASE_TYPE_MAX_LENGTH", f"Must be {MODAL_COMPONENTS_MAX} or fewer in length."))
    ids: set[str] = set()
    for i, top in enumerate(components):
        path = f"components.{i}"
        kind = top.get("type") if isinstance(top, dict) else None
        inputs: list[tuple[str, dict[str, Any], bool]] = []
        if kind == ACTION_ROW:
            children = top.get("components") or []
            if len(children) != 1:
                out.append(Breach("modal action row must hold exactly one input", f"{path}.components",
                                  f"{len(children)} components in a modal row",
                                  "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 1 in length."))
            inputs += [(f"{path}.components.{j}", c, False) for j, c in enumerate(children)]
        elif kind == LABEL:
            out += _missing("modal label without text", f"{path}.label", top.get("label"), "label")
            out += _long("modal label > 45 characters", f"{path}.label", top.get("label"), INPUT_LABEL_MAX, "label")
            out += _long("modal label description > 100 characters", f"{path}.description",
                         top.get("description"), 100, "description")
            inner = top.get("component")
            if isinstance(inner, dict):
                inputs.append((f"{path}.component", inner, True))
        elif kind == TEXT_DISPLAY:
            out += _long("text display content > 4000 characters", f"{path}.content", top.get("content"),
                         INPUT_LENGTH_MAX, "text")
        else:
            out.append(Breach("invalid modal component", f"{path}.type", f"type {kind!r} cannot go in a modal",
                              "UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (1, 10, 18)."))
        for ipath, component, labelled in inputs:
            if component.get("type") == TEXT_INPUT:
                out += _check_text_input(ipath, component, labelled=labelled)
            elif component.get("type") in SELECTS:
                out += _check_select(ipath, component)
            else:
                out += _custom_id(ipath, component.get("custom_id"))
            custom_id = component.get("custom_id")
            if isinstance(custom_id, str):
                if custom_id in ids:
                    out.append(Breach("duplicate custom_id", f"{ipath}.custom_id", f"custom_id {custom_id!r} twice",
                                      "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"))
                ids.add(custom_id)
    return out
