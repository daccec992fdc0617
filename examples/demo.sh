#!/usr/bin/env bash
# The demo behind `make demo`: cidrkit's main jobs on the shipped examples.
set -euo pipefail
cidrkit="${1:-cidrkit}"
cd "$(dirname "$0")/.."

run() {
    echo
    echo "\$ cidrkit $*"
    "$cidrkit" "$@" || true
}

run explain 10.0.0.0/16 --cloud aws
run vlsm 10.20.0.0/22 web=300 app=200 db=50 mgmt=10
run merge examples/lists/firewall-allow.txt
if [ -d examples/inventory ]; then
    run audit examples/inventory
fi
if [ -f examples/plans/multi-region.yaml ]; then
    run plan examples/plans/multi-region.yaml
fi
