"""The lock file reader: every bad entry is a problem that names its block key."""

from __future__ import annotations

import json

import pytest

from cidrkit.core import Prefix
from cidrkit.plan import PlanError, Problem, dump_lock, parse_lock


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(PlanError) as caught:
        parse_lock(text, "plan.yaml.lock")
    return caught.value.problems


def test_round_trip() -> None:
    blocks = {"shop/prod": Prefix.parse("10.0.0.0/16"), "shop/ipv6": Prefix.parse("2001:db8::/48")}
    assert parse_lock(dump_lock(blocks), "x") == blocks


def test_bad_entries_carry_their_key_and_a_pointer() -> None:
    # Keys hold '/' and '~', which the JSON pointer escapes (RFC 6901) and the key does not.
    text = json.dumps({
        "cidrkit-plan-lock": 1,
        "blocks": {"a/b~c": "10.0.0.5/8", "ok": "10.1.0.0/16", "x/ipv6": "nonsense"},
    })
    found = [(p.key, p.where, p.message, p.hint) for p in problems_of(text)]
    assert found == [
        ("a/b~c", "plan.yaml.lock#/blocks/a~1b~0c", "'10.0.0.5/8': host bits set",
         "did you mean 10.0.0.0/8?"),
        ("x/ipv6", "plan.yaml.lock#/blocks/x~1ipv6", "'nonsense': not an IPv4 or IPv6 address",
         None),
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{", "plan.yaml.lock:1:2"),
        ('{"cidrkit-plan-lock": 2, "blocks": {}}', "plan.yaml.lock"),
        ('{"cidrkit-plan-lock": 1}', "plan.yaml.lock#/blocks"),
    ],
)
def test_whole_file_problems_concern_no_block(text: str, where: str) -> None:
    [problem] = problems_of(text)
    assert (problem.where, problem.key) == (where, None)
