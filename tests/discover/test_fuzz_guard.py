"""The CLI fuzzer never lets a generated command line reach a cloud's API."""

from __future__ import annotations

import pytest

from tests.cli.fuzzing import ARGUMENT_ONLY, FUZZED_COMMANDS, command_words, reaches_never


def test_discover_is_only_parsed_never_run() -> None:
    assert "discover" in ARGUMENT_ONLY
    assert "discover" not in FUZZED_COMMANDS
    assert "--discover" not in command_words("audit")[0]


@pytest.mark.parametrize(("word", "reaches"), [
    ("--discover", True), ("--disc", True), ("--d=aws", True), ("--endp", True),
    ("--u", True), ("--", False), ("-d", False), ("--json", False), ("aws", False),
    ("--dx", False),
])
def test_abbreviations_of_forbidden_options_are_caught(word: str, reaches: bool) -> None:
    assert reaches_never(word) is reaches
