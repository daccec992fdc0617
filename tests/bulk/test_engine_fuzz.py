"""A time-bounded differential fuzz run of the engine's scanner and parser.

Random text mutated from address-like seeds is scanned by the engine and by
the Python path's regular expressions, and every candidate (and every
mutated token) is parsed by both the engine and the core parser; any
difference fails with the text that shows it. ``CIDRKIT_FUZZ_SECONDS``
sets the budget (CI runs it for minutes through ``make fuzz-native``); the
default keeps the ordinary test run short. The seed is printed so a failure
can be replayed with ``CIDRKIT_FUZZ_SEED``.
"""

from __future__ import annotations

import os
import random
import time

from cidrkit import _engine
from tests.bulk.enginecases import ALPHABET, FRAGMENTS
from tests.bulk.test_engine_grep import core_verdict, engine_candidates, regex_candidates

DEFAULT_SECONDS = 2.0


def mutate(rng: random.Random, text: str) -> str:
    """One random edit: insert, delete, replace, duplicate or splice."""
    choice = rng.randrange(5)
    at = rng.randrange(len(text) + 1)
    if choice == 0 or not text:
        return text[:at] + rng.choice(ALPHABET + "\n\r") + text[at:]
    if choice == 1:
        return text[:at] + text[at + 1 :]
    if choice == 2:
        return text[:at] + rng.choice(ALPHABET) + text[at + 1 :]
    if choice == 3:
        end = min(len(text), at + rng.randrange(1, 8))
        return text[:end] + text[at:end] + text[end:]
    return text[:at] + rng.choice(FRAGMENTS) + text[at:]


def test_engine_against_python_for_a_bounded_time() -> None:
    seconds = float(os.environ.get("CIDRKIT_FUZZ_SECONDS", DEFAULT_SECONDS))
    seed = int(os.environ.get("CIDRKIT_FUZZ_SEED", random.randrange(1 << 32)))
    print(f"engine fuzz: seed {seed}, {seconds} s")
    rng = random.Random(seed)
    corpus = [" ".join(rng.sample(FRAGMENTS, 4)) for _ in range(64)]
    deadline = time.monotonic() + seconds
    cases = 0
    while time.monotonic() < deadline:
        text = rng.choice(corpus)
        for _ in range(rng.randrange(1, 6)):
            text = mutate(rng, text)
        assert engine_candidates(text) == regex_candidates(text), (seed, text)
        for token in text.replace("\n", " ").replace("\r", " ").split(" "):
            assert _engine.parse_address(token.encode()) == core_verdict(token), (seed, token)
        if len(text) < 400:
            corpus[rng.randrange(len(corpus))] = text
        cases += 1
    assert cases > 0
