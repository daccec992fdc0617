"""``python -m cidrkit`` runs the command-line tool."""

import sys

from cidrkit.cli.main import main

sys.exit(main())
