"""Frozen records: `@record` makes a class a frozen dataclass at a fraction of the import cost.

`dataclass(frozen=True)` compiles six small functions per class with `exec` (on Python 3.11:
`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`); the ~130 records
of the IR, the AST and the reports cost ~100 ms of every CLI start-up that way, a third of a
tiny check. Here `dataclasses` still collects the fields, so `fields()`, `replace()` and
`is_dataclass()` work as on any dataclass, but it generates nothing: `__init__` is compiled
once per class (the only method that is hot), and equality, hashing, `repr` and the
frozen-ness are shared functions over an `attrgetter` of the fields.

Semantics are those of `dataclass(frozen=True)`: fields in declaration order, bases first;
defaults and `default_factory`; `__post_init__`; equality and hash over the fields with
`compare=True`, only between instances of the same class; assigning or deleting an attribute
raises `FrozenInstanceError`. Not supported (not used here): `InitVar`, `kw_only`, `init=False`
fields, ordering.
"""

from __future__ import annotations

import dataclasses
import reprlib
import sys
from operator import attrgetter
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # type checkers read the 3.11 branch; at run time the marker does nothing
    def dataclass_transform(**_: Any) -> Any:
        return lambda f: f

T = TypeVar("T")

_FACTORY = object()  # in a default position: call the field's default_factory


def _frozen_setattr(self: object, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _init(cls: type, fields: tuple[dataclasses.Field, ...]) -> Any:
    """Compile `__init__` the way dataclasses does for a frozen class, with names only."""
    params, lines = ["self"], []
    env: dict[str, Any] = {"__set": object.__setattr__, "__FACTORY": _FACTORY}
    for i, f in enumerate(fields):
        name = f.name
        if f.default is not dataclasses.MISSING:
            env[f"__d{i}"] = f.default
            params.append(f"{name}=__d{i}")
        elif f.default_factory is not dataclasses.MISSING:
            env[f"__f{i}"] = f.default_factory
            params.append(f"{name}=__FACTORY")
            lines.append(f" if {name} is __FACTORY: {name} = __f{i}()")
        else:
            params.append(name)
        lines.append(f" __set(self, {name!r}, {name})")
    if hasattr(cls, "__post_init__"):
        lines.append(" self.__post_init__()")
    # The text is built from field names, which are Python identifiers of our own classes.
    src = f"def __init__({', '.join(params)}):\n" + ("\n".join(lines) or " pass") + "\n"
    ns: dict[str, Any] = {}
    exec(src, env, ns)  # noqa: S102
    init = ns["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _key(names: tuple[str, ...]) -> Any:
    return attrgetter(*names) if names else (lambda _self: ())


def _eq(compared: tuple[str, ...]) -> Any:
    key = _key(compared)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return key(self) == key(other)

    return __eq__


def _hash(hashed: tuple[str, ...]) -> Any:
    key = _key(hashed)

    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _repr(shown: tuple[str, ...]) -> Any:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[T]) -> type[T]:
    """The class as a frozen dataclass (see the module docstring)."""
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)
    cls.__init__ = _init(cls, fields)  # type: ignore[misc]
    cls.__eq__ = _eq(tuple(f.name for f in fields if f.compare))  # type: ignore[method-assign]
    cls.__hash__ = _hash(tuple(f.name for f in fields  # type: ignore[method-assign]
                               if (f.compare if f.hash is None else f.hash)))
    cls.__repr__ = _repr(tuple(f.name for f in fields if f.repr))  # type: ignore[method-assign]
    cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
    cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
    return cls
