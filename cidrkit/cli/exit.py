"""Exit codes: the contract scripts rely on."""


class ExitCode:
    """What a run of ``cidrkit`` ended with.

    1 is an answer ("false", "differences", "conflicts found"), never a
    failure of cidrkit itself: a bug has its own code, so a script that
    branches on 1 is never fooled by a crash.

    Plain ints, not an IntEnum: importing enum (and the collections and
    functools it loads) costs about 3 ms of CPU on every run, a tenth of a
    merge of a full IPv6 table.
    """

    OK = 0
    FALSE = 1
    BAD_INPUT = 2
    # Some scopes were read and some failed (discover: an account, region,
    # subscription or project): the files written are true but incomplete.
    PARTIAL = 3
    # sysexits.h EX_SOFTWARE: an internal error, i.e. a bug in cidrkit.
    INTERNAL_ERROR = 70
    # 128 + SIGINT, as shells report a command stopped by Ctrl-C.
    INTERRUPTED = 130


class NegativeAnswer(Exception):
    """A command's answer is "no" (exit 1), with the reason for stderr.

    Raised rather than printed so that ``main.run`` stays the one place
    that writes a run's closing diagnostic and picks its exit code. ``code``
    is 2 instead when bad input lines were also reported.
    """

    def __init__(self, reason: str, code: int = ExitCode.FALSE) -> None:
        self.code = code
        super().__init__(reason)
