"""``python -m symcnn``."""

import sys

from .cli import main

sys.exit(main())
