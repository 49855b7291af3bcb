"""`python -m kiosk`: the same as `antre kiosk`."""

import sys

from kiosk.cli import main

sys.exit(main())
