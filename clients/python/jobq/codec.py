"""Task arguments and results as JSON, both ways.

to_json() turns a value into plain JSON (dicts, lists, str, int, float, bool, None): datetime and
date become ISO 8601 text, Decimal and UUID their text, an Enum its value, a dataclass a dict of its
fields, a pydantic model its dict (pydantic is optional: used when installed, never imported
otherwise). Anything else raises NotJsonable naming where in the value it sits.

from_json() goes back, guided by a type annotation: a parameter annotated ``datetime`` gets a
datetime from the ISO text, ``list[UUID]`` a list of UUIDs, a dataclass its instance; with no
annotation (or ``Any``) the plain JSON value is given as it is.
"""

import dataclasses
import datetime
import decimal
import enum
import math
import sys
import typing
import uuid
from typing import Any, Dict, Optional


class NotJsonable(TypeError):
    """A value that cannot become JSON; ``where`` names it (``pages``, ``user.tags[2]``)."""

    def __init__(self, where: str, value: object, why: Optional[str] = None) -> None:
        self.where = where
        self.reason = why or f"{type(value).__name__} is not JSON (use str, int, float, bool, None, list, " \
                             "dict, datetime, date, Decimal, UUID, Enum, a dataclass or a pydantic model)"
        super().__init__(f"{where}: {self.reason}")


def _pydantic_base() -> Optional[type]:
    """pydantic.BaseModel if pydantic was imported by the program, else None (never imports it)."""
    module = sys.modules.get("pydantic")
    return getattr(module, "BaseModel", None) if module is not None else None


def _model_dump(model: Any) -> Any:
    dump = getattr(model, "model_dump", None)  # pydantic 2
    return dump(mode="json") if dump is not None else model.dict()


def to_json(value: Any, where: str = "value") -> Any:
    """value as plain JSON; NotJsonable (naming ``where`` and the path inside it) if it cannot be."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return to_json(value.value, where)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJsonable(where, value, f"{value!r} is not a JSON number")
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise NotJsonable(where, value, f"Decimal {value} is not a JSON number")
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotJsonable(f"{where}[{k!r}]", k, f"a dict key must be a str, got {type(k).__name__}")
            out[k] = to_json(v, f"{where}[{k!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name), f"{where}.{f.name}") for f in dataclasses.fields(value)}
    base = _pydantic_base()
    if base is not None and isinstance(value, base):
        return to_json(_model_dump(value), where)
    raise NotJsonable(where, value)


def from_json(value: Any, annotation: Any, where: str = "value") -> Any:
    """The JSON value as the annotated type; the value as it is when the annotation says nothing this
    module knows. ValueError (naming ``where``) when the value does not fit the type."""
    if annotation is None or annotation is Any or value is None:
        return value
    origin = typing.get_origin(annotation)
    if origin is typing.Union or (sys.version_info >= (3, 10) and origin is _union_type()):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return from_json(value, options[0], where) if len(options) == 1 else value
    if origin in (list, tuple, set, frozenset) and isinstance(value, list):
        args = typing.get_args(annotation)
        if origin is tuple and args and args[-1] is not Ellipsis:
            return tuple(from_json(v, a, f"{where}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
        item = args[0] if args else None
        return origin(from_json(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict and isinstance(value, dict):
        args = typing.get_args(annotation)
        item = args[1] if len(args) == 2 else None
        return {k: from_json(v, item, f"{where}[{k!r}]") for k, v in value.items()}
    if not isinstance(annotation, type):
        return value
    try:
        return _convert(value, annotation, where)
    except (ValueError, TypeError, ArithmeticError) as e:
        if isinstance(e, NotJsonable):
            raise
        raise ValueError(f"{where}: {value!r} is not a {annotation.__name__} ({e})") from None


def _union_type() -> Any:
    import types
    return getattr(types, "UnionType", None)


def _convert(value: Any, cls: type, where: str) -> Any:
    if issubclass(cls, bool) or cls in (int, float, str, dict, list, object):
        return value
    if issubclass(cls, enum.Enum):
        return cls(value)
    if issubclass(cls, datetime.datetime):
        return datetime.datetime.fromisoformat(_iso(value))
    if issubclass(cls, datetime.date):
        return datetime.date.fromisoformat(value)
    if issubclass(cls, decimal.Decimal):
        return decimal.Decimal(str(value))
    if issubclass(cls, uuid.UUID):
        return uuid.UUID(value)
    if dataclasses.is_dataclass(cls) and isinstance(value, dict):
        hints = _hints(cls)
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: from_json(v, hints.get(k), f"{where}.{k}") for k, v in value.items() if k in fields})
    base = _pydantic_base()
    if base is not None and issubclass(cls, base):
        validate = getattr(cls, "model_validate", None) or getattr(cls, "parse_obj")
        return validate(value)
    return value


def _iso(text: str) -> str:
    # Python before 3.11 reads no "Z"; the server writes times with one.
    return text[:-1] + "+00:00" if isinstance(text, str) and text.endswith("Z") else text


def _hints(obj: Any) -> Dict[str, Any]:
    try:
        return typing.get_type_hints(obj)
    except Exception:  # an annotation naming something not importable here: take the values as they are
        return {}
