"""The immutable base of the core value types.

``Addr``, ``Prefix`` and ``Range`` behave as frozen, slotted dataclasses
(fields fixed after ``__init__``, equality, hashing and ordering by their
fields, pickling), but are written out by hand. ``dataclasses`` pulls in
``inspect`` (and with it ``ast``, ``dis`` and ``tokenize``) and compiles
generated methods on every import; on the path of a one-shot command such
as ``cidrkit contains`` that was a large share of the start-up time.

``TYPE_CHECKING`` is a plain constant, not ``typing.TYPE_CHECKING``, for the
same reason: type checkers honour the name, and ``typing`` stays unloaded.
"""

from __future__ import annotations

TYPE_CHECKING = False

# Assign a field from inside ``__init__``; plain assignment is refused.
set_field = object.__setattr__


class Frozen:
    """Refuse attribute assignment and deletion; pickle and copy by fields.

    Subclasses list their fields in ``__slots__`` and, in ``__init__`` order,
    in ``__match_args__``, and set them in ``__init__`` with :func:`set_field`.
    ``__reduce__`` rebuilds through ``__init__``, so an unpickled value is
    checked like any other.
    """

    __slots__ = ()
    # Field names in ``__init__`` order (``__slots__`` is kept sorted).
    __match_args__: tuple[str, ...] = ()

    if not TYPE_CHECKING:
        # Hidden from type checkers, which would otherwise take a custom
        # __setattr__ as permission to assign anything.
        def __setattr__(self, name: str, value: object) -> None:
            raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

        def __delattr__(self, name: str) -> None:
            raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def __reduce__(self) -> tuple[type, tuple[int, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__match_args__)


class Ordered(Frozen):
    """A Frozen value ordered by ``_key()``, against values of its own type only.

    Subclasses define ``_key`` (their fields as a tuple, in order of
    significance); comparing with another type is ``NotImplemented``, as a
    dataclass with ``order=True`` would have it.
    """

    __slots__ = ()

    def _key(self) -> tuple[int, ...]:
        raise NotImplementedError

    def __lt__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._key() < other._key()
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._key() <= other._key()
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._key() > other._key()
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._key() >= other._key()
        return NotImplemented
