"""Where configuration values came from: YAML with line marks, ``${ENV}`` interpolation, and
:class:`~botkit.errors.ConfigError` messages that name the file, the line and the field path."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from botkit.errors import ConfigError

__all__ = ["FieldPath", "SourceMap", "interpolate", "parse_yaml", "validation_problems"]

FieldPath = tuple[str | int, ...]

_ENV = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True, slots=True)
class SourceMap:
    """The file a config came from and the line of each field path in it."""

    file: str
    lines: Mapping[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """Return the line of ``path``, or of its closest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def error(self, problems: Iterable[tuple[FieldPath, str]]) -> ConfigError:
        """Return a ConfigError listing each (field path, message) with its line."""
        rows = []
        for path, message in sorted(problems, key=lambda item: self.line_of(item[0]) or 0):
            line = self.line_of(path)
            where = f"line {line}: " if line is not None else ""
            rows.append(f"  {where}{format_path(path) or '(top level)'}: {message}")
        return ConfigError(f"{self.file}: invalid configuration\n" + "\n".join(rows))


def format_path(path: FieldPath) -> str:
    """Return ``bot.rate_limit.jitter_ms[0]`` for ``("bot", "rate_limit", "jitter_ms", 0)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse YAML ``text``; return the data and the line of each field path.

    Raises ConfigError naming ``file`` and the line of a syntax error.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{file}:{mark.line + 1}" if mark is not None else file
        problem = error.problem or error.context or "invalid YAML"
        if error.context and error.context_mark is not None and error.problem:
            problem += f" ({error.context} on line {error.context_mark.line + 1})"
        raise ConfigError(f"{where}: not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{file}: not valid YAML: {error}") from None
    finally:
        loader.dispose()
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return data, SourceMap(file, lines)


def _collect_lines(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                _collect_lines(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


def interpolate(data: Any, env: Mapping[str, str], source: SourceMap) -> Any:
    """Replace ``${NAME}`` (or ``${NAME:-default}``) in every string value; ``$$`` is ``$``.

    Returns the new data. Raises ConfigError naming each field whose variable is not set.
    """
    missing: list[tuple[FieldPath, str]] = []

    def walk(value: Any, path: FieldPath) -> Any:
        if isinstance(value, dict):
            return {key: walk(item, (*path, str(key))) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item, (*path, index)) for index, item in enumerate(value)]
        if isinstance(value, str) and "$" in value:
            return _ENV.sub(lambda match: substitute(match, path), value)
        return value

    def substitute(match: re.Match[str], path: FieldPath) -> str:
        name, default = match.group(1), match.group(2)
        if name is None:
            return "$"
        if name in env:
            return env[name]
        if default is not None:
            return default
        missing.append((path, f"environment variable {name} is not set (use ${{{name}:-default}})"))
        return ""

    result = walk(data, ())
    if missing:
        raise source.error(missing)
    return result


def validation_problems(
    error: ValidationError, data: Any, model: type[BaseModel], prefix: FieldPath = ()
) -> list[tuple[FieldPath, str]]:
    """Turn pydantic's errors into (field path, message) pairs that read as expectations."""
    problems = []
    for item in error.errors():
        path = _data_path(item["loc"], data)
        kind = item["type"]
        if kind == "missing":
            message = "required, but missing"
        elif kind == "extra_forbidden":
            known = ", ".join(_fields_at(model, path[:-1]))
            message = f"unknown field (expected one of: {known})"
        else:
            message = _expectation(item["msg"])
            if kind != "value_error" and not isinstance(item["input"], dict | list):
                message += f" (got {item['input']!r})"
        problems.append(((*prefix, *path), message))
    return problems


def _expectation(message: str) -> str:
    for old, new in (
        ("Input should be", "expected"),
        ("Value error, ", ""),
        ("Assertion failed, ", ""),
    ):
        if message.startswith(old):
            return new + message[len(old) :]
    return message


def _data_path(loc: tuple[str | int, ...], data: Any) -> FieldPath:
    """Return ``loc`` without pydantic's union tags: only the keys that exist in ``data``."""
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
        elif index == len(loc) - 1 and isinstance(current, dict):
            path.append(part)
    return tuple(path)


def _fields_at(model: type[BaseModel], path: FieldPath) -> list[str]:
    for part in path:
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return sorted(model.model_fields)
