"""Hostile command lines and files for every command, and one run of each under a deadline.

Shared by the fuzz test of the normal suite (a modest example count) and
``make fuzz`` (``CIDRKIT_FUZZ_EXAMPLES`` raises it). A run happens in-process,
as tests/cli/runner.py does, but with byte streams behind text wrappers as
real stdin/stdout are, so a stray lone surrogate or undecodable byte fails
here as it would in a terminal.
"""

from __future__ import annotations

import io
import json
import os
import signal
import string
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from cidrkit.cli.context import Context
from cidrkit.cli.main import COMMANDS, build_parser, run

# `serve` listens until stopped: it cannot end under a deadline by design,
# so only its argument parsing is fuzzed (see ARGUMENT_ONLY). `discover` reads
# a cloud's API: a run could reach past loopback, so only its parsing either.
ARGUMENT_ONLY = {"serve", "discover"}
# Never generated: they could point a client at a host other than loopback.
NEVER = {"--url", "--host", "--discover", "--endpoint"}
DOCUMENTED_CODES = {0, 1, 2}
# A hang detector, not a speed test: generous for a loaded machine.
DEADLINE_SECONDS = 60
# Per input at most 20 error lines, a usage text, a summary: far below this.
MAX_STDERR_LINES = 200
MAX_STDERR_BYTES = 64_000
HUGE_LINE = 2 * 1024 * 1024


class DeadlineExceeded(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` swallows it."""


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class _Pipe(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def _pipe(data: bytes = b"", errors: str = "strict") -> _Pipe:
    # Strict UTF-8, as a real stdin/stdout under a UTF-8 locale (Python's
    # stderr escapes what it cannot encode: errors="backslashreplace").
    return _Pipe(io.BytesIO(data), encoding="utf-8", errors=errors, newline=None)


def _read(stream: _Pipe) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="backslashreplace")


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise DeadlineExceeded(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_command(argv: list[str], stdin: bytes, workdir: Path) -> Outcome:
    """Run ``cidrkit ARGV`` in ``workdir``, with loopback-only IPAM settings."""
    env = {
        "CIDRKIT_URL": "http://127.0.0.1:9",  # discard port: nothing listens
        "CIDRKIT_TOKEN": "not-a-token",
        "CIDRKIT_DB": str(workdir / "ipam.sqlite3"),
    }
    out, err = _pipe(), _pipe(errors="backslashreplace")
    ctx = Context(_pipe(stdin), out, err, env)
    here = Path.cwd()
    os.chdir(workdir)
    try:
        with deadline(DEADLINE_SECONDS):
            code = run(argv, ctx)
    finally:
        os.chdir(here)
    return Outcome(code, _read(out), _read(err))


def problems_with(outcome: Outcome) -> list[str]:
    """What is wrong with a run, by the contract every command keeps."""
    found = []
    if outcome.code not in DOCUMENTED_CODES:
        found.append(f"exit code {outcome.code}")
    if "Traceback" in outcome.err or "internal error" in outcome.err:
        found.append("a traceback or internal error on stderr")
    if len(outcome.err.encode()) > MAX_STDERR_BYTES or outcome.err.count("\n") > MAX_STDERR_LINES:
        found.append(f"stderr of {len(outcome.err):,} characters")
    return found


# --- what a command accepts ------------------------------------------------------


def command_words(name: str) -> tuple[list[str], list[str]]:
    """The option strings and action names of one command (no help, nothing in NEVER)."""
    ctx = Context(_pipe(), _pipe(), _pipe(), {})
    parser = build_parser(ctx, name).selected_parser
    assert parser is not None
    options: list[str] = []
    actions: list[str] = []
    todo = [parser]
    while todo:
        current = todo.pop()
        for action in current._actions:
            options += [o for o in action.option_strings if o not in ("-h", "--help")]
            choices = getattr(action, "choices", None)
            if isinstance(choices, dict):  # a subparsers action
                actions += list(choices)
                todo += list(choices.values())
    return sorted(set(options) - NEVER), actions


# --- file contents ----------------------------------------------------------------

WEIRD_WORDS = [
    "", " ", "-", "--", "0", "-1", "-3", "1e400", "inf", "-inf", "nan", "NaN", "1e-400",
    "9" * 40, "9" * 5000, "0x10", "1_000", "\u0665", "\x00", "\udcff", "\ufeff10.0.0.0/8",
    "10/8", "10.0.0.0/33", "::/129", "10.0.0.5/16", "10.0.0.0-10.0.0.255", "10.0.0.9-10.0.0.1",
    "0.0.0.0/0", "::/0", "255.255.255.255", "::ffff:10.0.0.1", "fe80::1%eth0", "2001:30::/28",
    "a=5", "=5", "web=0", "web=50", "50%", "-5%", "aws", "eks", "prod", "x" * 300,
]
FILE_NAMES = [
    "a.txt", "b.csv", "c.json", "d.yaml", "e.tf", "f.tfstate", "g.bin", "h.yaml.lock", "i.log",
    "nodes.yaml", "netbox-prefixes.csv",
]


def _prefix_text() -> st.SearchStrategy[str]:
    v4 = st.tuples(st.ip_addresses(v=4), st.integers(0, 32))
    v6 = st.tuples(st.ip_addresses(v=6), st.integers(0, 128))
    return st.one_of(v4, v6).map(lambda p: f"{p[0]}/{p[1]}")


def _word() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(WEIRD_WORDS),
        _prefix_text(),
        st.ip_addresses().map(str),
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=20),
    )


def _json_value(depth: int = 3) -> st.SearchStrategy[object]:
    leaf = st.one_of(
        st.none(), st.booleans(), st.integers(-(10**30), 10**30),
        st.floats(allow_nan=False, allow_infinity=False), _word(),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=8), inner, max_size=4),
        ),
        max_leaves=20,
    )


# Keys the importers and the planner look for, so generated documents get past
# the first check and into the code behind it.
JSON_KEYS = [
    "Vpcs", "Subnets", "CidrBlock", "Ipv6CidrBlockAssociationSet", "CidrBlockAssociationSet",
    "VpcId", "SubnetId", "OwnerId", "Tags", "addressSpace", "addressPrefixes", "addressPrefix",
    "subnets", "ipCidrRange", "secondaryIpRanges", "name", "id", "resources", "instances",
    "attributes", "cidr_block", "type", "kind", "items", "spec", "podCIDR", "podCIDRs",
    "results", "prefix", "vrf", "tree", "pools", "children", "hosts", "ipv4", "ipv6",
    "block", "matrix", "use", "templates", "headroom", "growth", "cloud", "pool", "avoid",
    "avoid_from", "overrides", "k8s", "version", "prefix_length", "prefix-length",
]


def _lines(words: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return st.tuples(
        st.lists(words, max_size=12),
        st.sampled_from(["\n", "\r\n", "\r"]),
        st.sampled_from(["", "\ufeff"]),
    ).map(lambda t: (t[2] + t[1].join(t[0])).encode("utf-8", "surrogatepass"))


def _csv_table() -> st.SearchStrategy[bytes]:
    header = st.lists(
        st.sampled_from(["prefix", "cidr", "subnet_cidr", "name", "env", "Network", "vpc", "x"]),
        min_size=1, max_size=4,
    )
    rows = st.lists(st.lists(_word(), max_size=4), max_size=8)
    return st.tuples(header, rows, st.booleans()).map(
        lambda t: "\n".join(
            ",".join(cells) for cells in [t[0], *t[1]]
        ).encode("utf-8", "surrogatepass") + (b'\n"unterminated' if t[2] else b"")
    )


def _special_bytes() -> st.SearchStrategy[bytes]:
    return st.sampled_from([
        b"",
        b"\x00" * 64,
        b"\xff\xfe\x00\x01binary\x80",
        b"\xef\xbb\xbf",
        b"[" * 5000,
        b'{"a":' * 3000,
        b"- " * 3000 + b"x",
        b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n"
        b"tree: {n: {note: *f}}\n",
        b"10.0.0.0/8 " * (HUGE_LINE // 11),
        b"9" * HUGE_LINE,
        ("\ud800".encode("utf-8", "surrogatepass") + b"10.0.0.0/8\n"),
        b"10.0.0.0/8\r\n10.1.0.0/16\r\n",
    ])


def _plan_value() -> st.SearchStrategy[object]:
    return st.one_of(
        st.integers(-5, 10**6), st.sampled_from([0, 10**40, 1.5, True, False, None]),
        st.sampled_from(["/24", "/64", "/56", "auto", "10.1.0.0/16", "2001:db8::/48", "25%",
                         "aws", "gcp", "azure", "eks", "main", "v6", "{az}", "x"]),
        _word(),
        st.fixed_dictionaries({"model": st.sampled_from(["eks", "gke", "x"]),
                               "nodes": st.integers(-1, 10**7)}),
    )


def _plan_node(depth: int) -> st.SearchStrategy[dict[str, object]]:
    keys = st.sampled_from(["hosts", "prefix", "ipv4", "ipv6", "block", "kind", "cloud",
                            "pool", "growth", "headroom", "k8s", "note", "use", "ipv6_source"])
    fields = st.dictionaries(keys, _plan_value(), max_size=3)
    if depth == 0:
        return fields
    children = st.dictionaries(st.sampled_from(["a", "b", "c-{az}", "d"]), _plan_node(depth - 1),
                               max_size=3)
    return st.tuples(fields, children, st.booleans()).map(
        lambda t: {**t[0], "children": t[1], **({"matrix": {"az": ["a", "b"]}} if t[2] else {})}
    )


def _plan() -> st.SearchStrategy[bytes]:
    """Plans shaped like real ones (pools, templates, tree) with odd values in them."""
    pools = st.lists(
        st.fixed_dictionaries({"name": st.sampled_from(["main", "v6", "x"]),
                               "cidr": st.sampled_from(["10.0.0.0/8", "2001:db8::/32",
                                                        "10.0.0.0/30", "bogus"])}),
        max_size=3,
    )
    document = st.fixed_dictionaries(
        {"pools": pools, "tree": st.dictionaries(st.sampled_from(["r", "s"]), _plan_node(2),
                                                 min_size=1, max_size=2)},
        optional={"templates": st.dictionaries(st.sampled_from(["t", "u"]), _plan_node(1),
                                               max_size=2),
                  "headroom": _plan_value(), "growth": _plan_value(), "cloud": _plan_value(),
                  "avoid": st.lists(_plan_value(), max_size=2),
                  "avoid_from": st.lists(st.sampled_from(["nosuch", ".", "a.txt"]), max_size=2)},
    )
    return document.map(lambda d: json.dumps(d, allow_nan=True).encode())


def _inventory_text() -> st.SearchStrategy[bytes]:
    """Terraform, Kubernetes and NetBox shapes with odd values where the CIDRs go."""
    hcl = st.lists(st.tuples(st.sampled_from(["aws_subnet", "aws_vpc",
                                              "google_compute_subnetwork", "azurerm_subnet"]),
                             _word()), max_size=4).map(
        lambda rs: "".join(
            f'resource "{kind}" "r{n}" {{\n  cidr_block = "{value}"\n'
            f'  ip_cidr_range = "{value}"\n  address_prefixes = ["{value}"]\n}}\n'
            for n, (kind, value) in enumerate(rs)))
    k8s = st.lists(_word(), max_size=4).map(
        lambda vs: "apiVersion: v1\nkind: NodeList\nitems:\n" + "".join(
            f"  - metadata: {{name: n{n}}}\n    spec: {{podCIDR: '{v}', podCIDRs: ['{v}']}}\n"
            for n, v in enumerate(vs)))
    netbox = st.lists(st.tuples(_word(), _word()), max_size=4).map(
        lambda rows: "prefix,vrf,status,tenant\n" + "".join(
            f"{p},{v},active,t\n" for p, v in rows))
    return st.one_of(hcl, k8s, netbox).map(lambda t: t.encode("utf-8", "surrogatepass"))


def _contents() -> st.SearchStrategy[bytes]:
    return st.one_of(
        _plan(),
        _inventory_text(),
        _lines(_word()),
        _lines(_prefix_text()),
        _json_value().map(lambda v: json.dumps(v, allow_nan=True).encode()),
        _csv_table(),
        _special_bytes(),
        st.binary(max_size=200),
    )


@dataclass
class Case:
    argv: list[str]
    files: dict[str, bytes]
    stdin: bytes

    def write(self, workdir: Path) -> None:
        for name, data in self.files.items():
            (workdir / name).write_bytes(data)


def reaches_never(word: str) -> bool:
    """True if argparse would read ``word`` as an option in NEVER.

    argparse takes any unambiguous prefix of an option (``--disc`` for
    ``--discover``), with or without ``=value``.
    """
    name = word.split("=", 1)[0]
    return name.startswith("--") and len(name) > 2 and any(o.startswith(name) for o in NEVER)


@st.composite
def cases(draw: st.DrawFn, name: str) -> Case:
    """A command line for ``name`` with the files it names and a stdin."""
    options, actions = command_words(name)
    files = draw(st.dictionaries(st.sampled_from(FILE_NAMES), _contents(), max_size=3))
    refs = [*files, "nosuch.txt", ".", "-"]
    token = st.one_of(
        st.sampled_from(options) if options else _word(),
        _word().filter(lambda w: not reaches_never(w)),
        st.sampled_from(refs),
    )
    argv = [name]
    if actions:
        argv.append(draw(st.sampled_from(actions) | _word().filter(lambda w: not reaches_never(w))))
    argv += draw(st.lists(token, max_size=8))
    stdin = draw(st.one_of(st.just(b""), _contents()))
    return Case(argv, files, stdin)


def text_safe(argv: list[str]) -> str:
    """The command line for a failure message."""
    printable = set(string.printable) - set("\r\x0b\x0c")
    return " ".join(
        "".join(c if c in printable else f"\\u{ord(c):04x}" for c in arg)[:100] for arg in argv
    )


FUZZED_COMMANDS = [name for name in COMMANDS if name not in ARGUMENT_ONLY]
