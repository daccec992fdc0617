"""One or two example command lines per command, shown at the end of its ``--help``.

Kept beside the registry rather than in each command module so every
command's help ends the same way, and docs/cli.md (generated from the help)
shows them all.
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "explain": ("cidrkit explain 10.0.0.0/16", "cidrkit explain --cloud aws 2001:db8::/56"),
    "contains": (
        "cidrkit contains 10.0.0.0/16 10.0.14.5",
        "cidrkit contains -q 10.0.0.0/8 - < addresses.txt && echo all inside",
    ),
    "overlaps": ("cidrkit overlaps 10.0.0.0/16 10.0.128.0/20", "cidrkit overlaps subnets.txt"),
    "count": (
        "cidrkit count 10.0.0.0/16 192.168.0.0/24", "cidrkit count --cloud azure 10.0.0.0/24"
    ),
    "hosts": ("cidrkit hosts 192.0.2.0/29", "cidrkit hosts --cloud aws 10.0.0.0/28"),
    "divide": ("cidrkit divide 10.0.0.0/16 4",),
    "split": ("cidrkit split 10.0.0.0/22 --prefix 24", "cidrkit split 10.0.0.0/24 --hosts 50"),
    "vlsm": ("cidrkit vlsm 10.0.0.0/24 web=100 db=50 mgmt=10",),
    "range": ("cidrkit range 10.0.0.0-10.0.0.255 192.0.2.10-192.0.2.20",),
    "span": ("cidrkit span 10.0.1.0/24 10.0.7.0/24",),
    "free": ("cidrkit free 10.0.0.0/16 --used 10.0.0.0/24 10.0.4.0/22",),
    "next": ("cidrkit next 10.0.0.0/16 --used used.txt --prefix 24 --count 2",),
    "reverse": ("cidrkit reverse 10.1.0.0/16 2001:db8::/48",),
    "classify": ("cidrkit classify 100.64.0.1 192.0.2.0/24 2001:db8::1",),
    "merge": ("cidrkit merge 10.0.0.0/25 10.0.0.128/25", "cidrkit merge routes.txt --ranges"),
    "exclude": ("cidrkit exclude 10.0.0.0/16 --minus 10.0.4.0/22",),
    "intersect": ("cidrkit intersect vpc-a.txt --with vpc-b.txt",),
    "diff": ("cidrkit diff old-routes.txt new-routes.txt",),
    "lookup": (
        "cidrkit lookup --table subnets.csv access.log",
        "cidrkit lookup --table subnets.csv --column src_ip --stats --json flows.csv",
    ),
    "grep": ("cidrkit grep 10.0.0.0/8 access.log", "cidrkit grep -c -f blocked.txt auth.log"),
    "audit": (
        "cidrkit audit aws-export.json terraform/ netbox-prefixes.csv",
        "cidrkit audit --pool 10.0.0.0/8 --format sarif -o audit.sarif inventories/",
    ),
    "why": ("cidrkit why 10.20.3.7 inventories/",),
    "discover": ("cidrkit discover aws --organization -o estate/",
                 "cidrkit discover gcp --project acme-prod -o estate/"),
    "plan": ("cidrkit plan network.yaml", "cidrkit plan network.yaml --check",
             "cidrkit plan network.yaml --against estate/"),
    "size": ("cidrkit size --hosts 500 --growth 25% --cloud aws",
             "cidrkit size --k8s --model eks --nodes 50 --max-pods 110"),
    "nat": ("cidrkit nat --cloud aws --clients 200 --rate 50 --hold 30",),
    "serve": ("cidrkit serve --db ipam.db --port 8080",),
    "ipam": ("cidrkit ipam allocate --pool prod --prefix-length 24",
             "cidrkit ipam list --pool prod --json"),
    "token": ("cidrkit token create --pool prod --scope write",),
    "db": ("cidrkit db upgrade --db postgresql://ipam@db.example/ipam",),
}
