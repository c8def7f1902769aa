"""``python -m helpers.run PARAMS.yaml ...``: the runner's command line (``supplement-run``)."""

import sys

from helpers.run.cli import main

sys.exit(main())
