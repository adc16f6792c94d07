"""Reading YAML files into pydantic models with one-line, located errors.

YAML is read with :class:`StrictLoader`: ``yaml.safe_load`` with one difference, a key given
twice in one mapping is an error (PyYAML keeps the last silently, so a task with a label
listed twice lost a label and went on to paid calls)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from synthloop.core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


class StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing duplicate keys."""


def _unique_keys(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    first: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<: *base` then overriding a key is what merges are for
        key = loader.construct_object(key_node, deep=True)
        try:
            seen = first.setdefault(key, key_node.start_mark)
        except TypeError:  # an unhashable key: the base constructor says why
            continue
        if seen is not key_node.start_mark:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen.line + 1})",
                key_node.start_mark,
            )  # fmt: skip
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_keys)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, refusing a key given twice in one mapping."""
    return yaml.load(text, Loader=StrictLoader)  # a SafeLoader: no arbitrary objects


_FLOW_END = re.compile(r"expected ',' or '([]}])', but got (.+)")
_OPENER = {"}": "{", "]": "["}


def _at(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _in_plain_words(exc: yaml.YAMLError) -> tuple[yaml.Mark | None, str]:
    """Where a parse failed and what is wrong, said of brackets and commas: PyYAML's own
    words for a flow-style slip ("expected ',' or '}', but got ':'") name its tokens, and
    for a bracket never closed, a place lines below the bracket."""
    mark: yaml.Mark | None = getattr(exc, "problem_mark", None)
    problem: str = getattr(exc, "problem", None) or "invalid YAML"
    opened: yaml.Mark | None = getattr(exc, "context_mark", None)
    flow_end = _FLOW_END.fullmatch(problem)
    if flow_end and opened is not None:
        close, got = flow_end.groups()
        bracket = f"the '{_OPENER[close]}' opened at {_at(opened)}"
        if got == "'<stream end>'":
            return opened, f"this '{_OPENER[close]}' is never closed: a '{close}' is missing"
        if got in ("'}'", "']'"):
            return mark, f"{got} closes {bracket}: write '{close}'"
        return mark, f"a ',' or the closing '{close}' is missing before this {got} (in {bracket})"
    if problem == "expected the node content, but found ','":
        return mark, "a ',' with no item before it (two ',' in a row, or one after '[' or '{')"
    if problem in ("expected <block end>, but found '}'", "expected <block end>, but found ']'"):
        return mark, f"a '{problem[-2]}' with no '{_OPENER[problem[-2]]}' open before it"
    quoted = getattr(exc, "context", None) == "while scanning a quoted scalar"
    if quoted and problem == "found unexpected end of stream" and opened is not None:
        return opened, "this quote is never closed"
    return mark, problem


def read_yaml(path: Path, what: str) -> Any:
    """The parsed file, or a one-line ConfigError naming the file and where it went wrong."""
    if path.is_dir():
        inside = path / "config.yaml"
        raise ConfigError(
            f"{what} is a folder, not a file: {path}",
            hint=f"name the YAML file, e.g. {inside}" if inside.is_file() else None,
        )
    if not path.is_file():
        raise ConfigError(f"{what} file not found: {path}")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark, problem = _in_plain_words(exc)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: malformed YAML{where}: {problem}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text: byte 0x{exc.object[exc.start]:02x} at offset {exc.start}"
        ) from exc
    return data


def read_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    data = read_yaml(path, what)
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: a {what} must be a YAML mapping (key: value), got {type(data).__name__}"
        )
    return data


def label_text(value: Any) -> Any:
    """A raw label value as the text labels are keyed by: a number as its digits, a float
    that is a whole number as the integer (1.0 is "1": pandas writes an integer column
    holding a null as floats, and a label_map's key 1 is meant for it); anything else,
    a boolean too, as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_WHOLE_FLOAT = re.compile(r"-?\d+\.0+")


def mapped_label(text: str, label_map: Mapping[str, str]) -> str:
    """The label ``label_map`` gives a label read as ``text``; a CSV's "1.0" (pandas writes
    an integer column holding a null as floats) takes key 1's, as the number 1.0 does
    (:func:`label_text`); a text the map lacks stays as it is."""
    if text in label_map:
        return label_map[text]
    if _WHOLE_FLOAT.fullmatch(text.strip()):
        return label_map.get(str(int(float(text))), text)
    return text


def label_keyed(value: Any) -> Any:
    """A mapping keyed by label names (a task's labels, a label_map) with its numbers as
    text: YAML reads an unquoted ``1:`` as the number 1, and a pydantic ``dict[str, str]``
    refused it ("Input should be a valid string") though a label read from a file is "1".
    A boolean cannot be turned back into what was written (``yes``, ``on`` and ``True`` all
    read as True), so it is refused with the way out."""
    if not isinstance(value, dict):
        return value
    for item in (*value, *value.values()):
        if isinstance(item, bool):
            raise ValueError(
                f"YAML reads an unquoted yes/no/on/off/true/false as a boolean ({item}): "
                "quote it, e.g. 'yes'"
            )

    return {label_text(k): label_text(v) for k, v in value.items()}


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        # a validator's own message, without pydantic's "Value error, " before it
        msg = (
            err["msg"].removeprefix("Value error, ") if err["type"] == "value_error" else err["msg"]
        )
        parts.append(f"{loc}: {msg}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def validate_model(model: type[M], data: dict[str, Any], source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {describe_validation_error(exc)}") from exc
