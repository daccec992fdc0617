"""A time-bounded differential fuzz run of the lookup table read by the engine.

Plain and CSV tables, mutated a few characters at a time, are built by the
engine (``read_native_table``) and by the Python reader; the saved images
must be the same bytes, or both must fail with the same error. The engine
may decline a whole table only for the layouts it leaves to Python (a lone
carriage return; quotes in a CSV). ``CIDRKIT_FUZZ_SECONDS`` sets the budget
(``make fuzz-native``); the seed is printed for replay with
``CIDRKIT_FUZZ_SEED``.
"""

from __future__ import annotations

import os
import random
import re
import tempfile
import time
from pathlib import Path

from tests.bulk.enginecases import edit_once
from tests.bulk.test_engine_table import GOOD_CELLS, PYTHON_CELLS, both_ways

DEFAULT_SECONDS = 2.0
ALPHABET = '0123456789abcdefABCDEF:./\n\r x#-,"\u00a0'
_LONE_CR = re.compile(r"\r(?!\n)")


def random_table(rng: random.Random, as_csv: bool) -> str:
    cells = [rng.choice(GOOD_CELLS + PYTHON_CELLS) for _ in range(rng.randrange(1, 10))]
    if not as_csv:
        return "\n".join(cells) + "\n"
    rows = [f'{cell},n{k},"v,{k}"' for k, cell in enumerate(cells)]
    return "\n".join(["cidr,name,vpc", *rows]) + "\n"


def test_table_reader_against_python_for_a_bounded_time() -> None:
    seconds = float(os.environ.get("CIDRKIT_FUZZ_SECONDS", DEFAULT_SECONDS))
    seed = int(os.environ.get("CIDRKIT_FUZZ_SEED", random.randrange(1 << 32)))
    print(f"table reader fuzz: seed {seed}, {seconds} s")
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    cases = 0
    with tempfile.TemporaryDirectory() as folder:
        while time.monotonic() < deadline:
            as_csv = rng.random() < 0.5
            text = random_table(rng, as_csv)
            for _ in range(rng.randrange(0, 6)):
                text = edit_once(rng, text, ALPHABET)
            may_decline = bool(_LONE_CR.search(text)) or (as_csv and '"' in text)
            name = "table.csv" if as_csv else "table.txt"
            try:
                both_ways(Path(folder), text.encode(), name, may_decline=may_decline)
            except AssertionError as err:
                raise AssertionError(f"seed {seed}: {text!r}") from err
            cases += 1
    assert cases > 0
