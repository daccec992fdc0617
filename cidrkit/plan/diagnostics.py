"""Problems found in a plan, and the errors that carry them.

A plan is checked as a whole: every problem is collected (with the file, line
and column it came from, the node it concerns and an optional hint) and raised
together, so one run shows everything that needs fixing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cidrkit.errors import AllocationError, InputError, cap_lines


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a plan.

    ``where`` is ``file:line:col``, ``file#/json/pointer`` or a path, for
    people. ``key`` is for programs: the block key (``shop/prod``,
    ``shop/prod/ipv6``) the problem concerns, as in the lock file's
    ``blocks``; ``None`` when it concerns no one block (a file, a pool).
    """

    where: str
    message: str
    hint: str | None = None
    key: str | None = None

    def render(self) -> str:
        """``plan.yaml:14:11: error: ...`` plus an indented hint line."""
        text = f"{self.where}: error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class PlanError(InputError):
    """A plan file that cannot be read, sized or checked; holds every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))

    def report_lines(self) -> list[str]:
        """Each problem at its place (hints on their own lines), at most 20."""
        return cap_lines([p.render() for p in self.problems])


class PlanFitError(PlanError, AllocationError):
    """A plan whose blocks do not fit, or would have to move, given the lock."""
