"""`checker.record.record` behaves as `dataclass(frozen=True)` on every feature the code uses:
the same class declared both ways must construct, compare, hash, print, replace and refuse
assignment alike."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from checker.record import record


def _declare(decorate):
    @decorate
    class Base:
        a: int
        b: str = "x"

    @decorate
    class Point(Base):
        c: tuple = ()
        d: list = field(default_factory=list)
        e: int = field(default=0, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "d", [*self.d, len(self.d)])

    return Base, Point


@record
class Pair:
    left: int
    right: tuple


STD, OURS = _declare(dataclass(frozen=True)), _declare(record)


def _all(point):
    return [point(1), point(1, "y"), point(a=2, c=(1, 2)), point(1, d=[5]),
            point(1, e=7), point(1, "x", (), [], 3)]


def test_construction_and_post_init_match():
    for s, o in zip(_all(STD[1]), _all(OURS[1]), strict=True):
        assert dataclasses.asdict(s) == dataclasses.asdict(o)
        assert repr(s).replace("STD", "") == repr(o)


def test_equality_and_hash_follow_the_compared_fields():
    std, ours = _all(STD[1]), _all(OURS[1])
    for i in range(len(std)):
        for j in range(len(std)):
            assert (std[i] == std[j]) == (ours[i] == ours[j]), (i, j)
    for decorated in (STD, OURS):  # a list field makes the record unhashable, as it should
        with pytest.raises(TypeError):
            hash(decorated[1](1))
    x, y = OURS[0](1), OURS[0](1)
    assert x == y and hash(x) == hash(y) and x is not y
    assert OURS[0](1) != OURS[1](1)  # different classes never compare equal
    assert OURS[1](1, e=1).__eq__(OURS[1](1, e=2)) is True  # e has compare=False
    assert OURS[0](1).__eq__("text") is NotImplemented


def test_frozen():
    p = OURS[1](1)
    with pytest.raises(FrozenInstanceError):
        p.a = 2
    with pytest.raises(FrozenInstanceError):
        del p.a
    with pytest.raises(FrozenInstanceError):
        p.new = 1


def test_dataclass_helpers_work():
    p = OURS[1](1, c=(3,))
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(p)] == ["a", "b", "c", "d", "e"]
    q = dataclasses.replace(p, b="z")
    assert (q.a, q.b, q.c) == (1, "z", (3,)) and q != p
    assert pickle.loads(pickle.dumps(Pair(1, (2,)))) == Pair(1, (2,))
    assert OURS[1].__match_args__ == STD[1].__match_args__


def test_missing_argument_is_a_type_error():
    with pytest.raises(TypeError):
        OURS[0]()
