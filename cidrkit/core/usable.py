"""Usable-address models: how many addresses of a block a host can really get.

Each cloud reserves a few addresses of every subnet; classic IPv4 loses the
network and broadcast addresses, except on point-to-point links (RFC 3021).
"""

from __future__ import annotations

from cidrkit.core.value import TYPE_CHECKING, Frozen, set_field
from cidrkit.errors import ArgumentError

if TYPE_CHECKING:
    from typing import Literal

    ModelName = Literal["rfc", "aws", "azure", "gcp", "none"]
else:
    ModelName = str  # keeps ``typing`` off the start-up path of the CLI

MODEL_NAMES: tuple[ModelName, ...] = ("rfc", "aws", "azure", "gcp", "none")
#: The models that are platforms a subnet lives on: every model but classic RFC.
CLOUDS: tuple[ModelName, ...] = ("aws", "azure", "gcp", "none")


class UsableModel(Frozen):
    """Addresses reserved at each end of a subnet, and the smallest subnet allowed.

    ``front``/``back`` are the reserved counts at the start and the end of the
    block. ``max_length_v4``/``max_length_v6`` are the longest prefix lengths
    the platform accepts for a subnet (None: no limit).
    """

    __slots__ = ("back", "front", "label", "max_length_v4", "max_length_v6", "name")
    __match_args__ = ("name", "label", "front", "back", "max_length_v4", "max_length_v6")

    if TYPE_CHECKING:  # read-only fields

        @property
        def name(self) -> ModelName: ...
        @property
        def label(self) -> str: ...
        @property
        def front(self) -> int: ...
        @property
        def back(self) -> int: ...
        @property
        def max_length_v4(self) -> int | None: ...
        @property
        def max_length_v6(self) -> int | None: ...

    def __init__(
        self,
        name: ModelName,
        label: str,
        front: int,
        back: int,
        max_length_v4: int | None,
        max_length_v6: int | None,
    ) -> None:
        set_field(self, "name", name)
        set_field(self, "label", label)
        set_field(self, "front", front)
        set_field(self, "back", back)
        set_field(self, "max_length_v4", max_length_v4)
        set_field(self, "max_length_v6", max_length_v6)

    def __repr__(self) -> str:
        return f"UsableModel({self.name!r})"

    def max_length(self, bits: int) -> int | None:
        return self.max_length_v4 if bits == 32 else self.max_length_v6

    def reserved(self, bits: int, length: int) -> tuple[int, int]:
        """``(front, back)`` reserved counts for a block of this family and length."""
        if self.name == "rfc":
            # RFC 3021: a /31 is a point-to-point link, both addresses usable;
            # a /32 is a single host. IPv6 has no broadcast address.
            if bits == 128 or length >= 31:
                return (0, 0)
            return (1, 1)
        return (self.front, self.back)

    def usable(self, bits: int, length: int) -> int:
        """Usable address count of a block, 0 where the platform refuses it."""
        limit = self.max_length(bits)
        if limit is not None and length > limit:
            return 0
        front, back = self.reserved(bits, length)
        return max(0, (1 << (bits - length)) - front - back)


MODELS: dict[str, UsableModel] = {
    "rfc": UsableModel("rfc", "RFC (network and broadcast reserved)", 1, 1, None, None),
    # AWS: network, VPC router, DNS, future use, and the last address.
    "aws": UsableModel("aws", "AWS", 4, 1, 28, 64),
    # Azure: network, default gateway, two DNS addresses, and the last address.
    "azure": UsableModel("azure", "Azure", 4, 1, 29, 64),
    # GCP primary IPv4 range: network, gateway, second-to-last and broadcast.
    "gcp": UsableModel("gcp", "GCP", 2, 2, 29, 64),
    "none": UsableModel("none", "no reserved addresses", 0, 0, None, None),
}


def get_model(name: str) -> UsableModel:
    """The model called ``name``; ``ArgumentError`` listing the valid names otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise ArgumentError(
            f"unknown usable-address model {name!r}; choose one of {', '.join(MODELS)}"
        ) from None


def cloud_reserved(cloud: str) -> int:
    """Addresses ``cloud`` reserves in every subnet, wherever they sit in it.

    >>> [cloud_reserved(c) for c in CLOUDS]
    [5, 5, 4, 0]
    """
    if cloud not in CLOUDS:
        raise ArgumentError(f"unknown cloud {cloud!r}; choose one of {', '.join(CLOUDS)}")
    model = MODELS[cloud]
    return model.front + model.back
