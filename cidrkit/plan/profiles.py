"""Cloud profiles: prefix-length limits and IPv6 rules, on top of the core's usable models.

A profile is chosen per plan node with ``cloud:`` and inherited down the tree.
The addresses each cloud reserves are the core's (``cidrkit.core.usable``);
the limits here come from each provider's documentation:

* AWS: VPCs and subnets are /16 to /28. Amazon-provided IPv6 gives a VPC a
  /56 and each subnet a /64; IPv6 from AWS IPAM allows /44 to /60 (VPC) and
  /44 to /64 (subnet) in steps of 4.
* Azure: the smallest subnet is a /29 and IPv6 subnets are exactly /64.
* Google Cloud: the smallest primary range is a /29, IPv6 subnets are /64 and
  a VPC's ULA range is a /48.
* ``none`` imposes no limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cidrkit.core.usable import CLOUDS, cloud_reserved

Kind = Literal["group", "vpc", "subnet", "range"]
Ipv6Source = Literal["provider", "ipam"]

__all__ = ["CLOUDS", "PROFILES", "CloudProfile", "Ipv6Source", "Kind", "LengthRule", "profile"]


@dataclass(frozen=True, slots=True)
class LengthRule:
    """Allowed prefix lengths: ``shortest`` ≤ length ≤ ``longest``, in ``step``s.

    ``step`` counts from ``shortest`` (AWS IPAM allows /44, /48, ... /64).
    """

    shortest: int
    longest: int
    step: int = 1

    def allows(self, length: int) -> bool:
        """Whether ``length`` satisfies the rule."""
        if not self.shortest <= length <= self.longest:
            return False
        return (length - self.shortest) % self.step == 0

    def describe(self) -> str:
        """Human text such as ``/16../28`` or ``/44../64 in steps of 4``."""
        if self.shortest == self.longest:
            return f"/{self.shortest}"
        text = f"/{self.shortest}../{self.longest}"
        if self.step != 1:
            text += f" in steps of {self.step}"
        return text


@dataclass(frozen=True, slots=True)
class CloudProfile:
    """What a cloud allows and reserves, per kind of node and family.

    ``usable_model`` names the core's usable-address model of the cloud.
    """

    name: str
    usable_model: str
    ipv4: dict[Kind, LengthRule]
    ipv6: dict[tuple[Kind, Ipv6Source], LengthRule]

    @property
    def reserved(self) -> int:
        """Addresses the cloud reserves in every subnet."""
        return cloud_reserved(self.usable_model)

    def ipv4_rule(self, kind: Kind) -> LengthRule | None:
        """The IPv4 length rule for ``kind``, or ``None`` when unconstrained."""
        return self.ipv4.get(kind)

    def ipv6_rule(self, kind: Kind, source: Ipv6Source = "provider") -> LengthRule | None:
        """The IPv6 length rule for ``kind`` and ``source``, or ``None``."""
        return self.ipv6.get((kind, source))


PROFILES: dict[str, CloudProfile] = {
    "aws": CloudProfile(
        name="aws",
        usable_model="aws",
        ipv4={"vpc": LengthRule(16, 28), "subnet": LengthRule(16, 28)},
        ipv6={
            ("vpc", "provider"): LengthRule(56, 56),
            ("subnet", "provider"): LengthRule(64, 64),
            ("vpc", "ipam"): LengthRule(44, 60, 4),
            ("subnet", "ipam"): LengthRule(44, 64, 4),
        },
    ),
    "azure": CloudProfile(
        name="azure",
        usable_model="azure",
        ipv4={"vpc": LengthRule(8, 29), "subnet": LengthRule(8, 29)},
        ipv6={
            ("subnet", "provider"): LengthRule(64, 64),
            ("subnet", "ipam"): LengthRule(64, 64),
        },
    ),
    "gcp": CloudProfile(
        name="gcp",
        usable_model="gcp",
        ipv4={"subnet": LengthRule(8, 29)},
        ipv6={
            ("vpc", "provider"): LengthRule(48, 48),
            ("subnet", "provider"): LengthRule(64, 64),
            ("subnet", "ipam"): LengthRule(64, 64),
        },
    ),
    "none": CloudProfile(name="none", usable_model="none", ipv4={}, ipv6={}),
}


def profile(name: str) -> CloudProfile:
    """The profile called ``name``; ``KeyError`` for an unknown cloud."""
    return PROFILES[name]
