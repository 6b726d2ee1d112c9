"""A Python environment without the quizbook package, for kernels that run student notebooks.

The test environment has quizbook installed (editable); a student's kernel does not.
`without_quizbook(folder)` returns environment variables under which any Python process
(pytest with nbval, JupyterLab and the kernels it starts) cannot import `quizbook`: a
`sitecustomize` on PYTHONPATH puts an import hook first that refuses it. Everything else
of the environment (anywidget, ipywidgets, ipykernel) stays.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BLOCKER = '''\
import sys


class _NoQuizbook:
    """A kernel like a student's: the quizbook package is not installed."""

    def find_spec(self, name, path=None, target=None):
        if name == "quizbook" or name.startswith("quizbook."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoQuizbook())
'''


def without_quizbook(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(folder))
    probe = subprocess.run([sys.executable, "-c", "import quizbook"], env=env,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "No module named 'quizbook'" in probe.stderr, \
        "the environment must not be able to import quizbook"
    return env
