"""``python -m helpers.render {quarto,book,auto,preview} PARAMS.yaml``."""

import sys

from .cli import main

sys.exit(main())
