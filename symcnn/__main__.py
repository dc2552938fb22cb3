"""``python -m symcnn``."""

import sys

from symcnn.cli import main

sys.exit(main())
