"""Finding and starting headless Chromium: for PDFs, browser tests and benchmarks alike.

The flags keep Chromium offline and quiet on a machine without a network: no
background requests, no component updates, no sync, no QUIC.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
              "chrome")
HEADLESS_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def find_chromium() -> str | None:
    """The program named by QUIZBOOK_CHROMIUM, or the first Chromium/Chrome on PATH."""
    named = os.environ.get("QUIZBOOK_CHROMIUM")
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None
