"""End to end: a generated student notebook in a real JupyterLab, driven by headless Chromium.

JupyterLab listens on 127.0.0.1 only, with a random token, in a temporary folder
holding one generated notebook. The test runs every cell, answers one question by
clicking its label, presses Check answers and reads the feedback; it then checks
that the kernel saved the progress file next to the notebook. JupyterLab (and its
kernel) are stopped in teardown.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from quizbook.notebooks import write_notebooks

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "books" / "minimal"
pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Lab:
    def __init__(self, base: str, token: str, root: Path, log: Path) -> None:
        self.base, self.token, self.root, self.log = base, token, root, log


@pytest.fixture
def jupyterlab(tmp_path: Path) -> Iterator[Lab]:
    root = tmp_path / "class"
    write_notebooks(MINIMAL, root, "student")
    home = tmp_path / "home"
    # No "official Jupyter news?" prompt over the page (and no fetching of news).
    notif = home / "settings" / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True)
    (notif / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"), JUPYTER_PLATFORM_DIRS="1")
    port, token = free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyterlab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           f"--LabServerApp.workspaces_dir={home / 'workspaces'}",
           f"--LabServerApp.user_settings_dir={home / 'settings'}",
           "--LabApp.extension_manager=readonly"]
    if os.geteuid() == 0:  # containers and CI runners often run as root
        cmd.append("--allow-root")
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}",
                                pytrace=False)
                time.sleep(0.3)
        yield Lab(base, token, root, log)
    finally:
        # Stop the server and its kernel: the process group we started, by its id.
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            pass  # the whole group (server and kernel) is gone
        else:
            os.killpg(proc.pid, signal.SIGKILL)


def wait_for_idle_kernel(lab: Lab) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{lab.base}/api/sessions?token={lab.token}",
                                    timeout=5) as r:
            sessions = json.load(r)
        states = [s["kernel"]["execution_state"] for s in sessions
                  if s.get("path", "").endswith("01-minimal.ipynb") and s.get("kernel")]
        if states == ["idle"]:
            return
        time.sleep(0.3)
    pytest.fail(f"the notebook's kernel did not start:\n{lab.log.read_text()[-3000:]}",
                pytrace=False)


def test_notebook_quiz_in_jupyterlab(jupyterlab: Lab, browser: Any, artifacts: Path) -> None:
    started = time.monotonic()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "ws://127.0.0.1"))
            else None)
    try:
        page.goto(f"{jupyterlab.base}/lab/tree/01-minimal.ipynb?token={jupyterlab.token}")
        page.locator(".jp-NotebookPanel").first.wait_for(timeout=30_000)
        # Wait until the notebook's kernel runs and is idle, then Run ▸ Run All Cells.
        wait_for_idle_kernel(jupyterlab)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
            timeout=30_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        quiz = page.locator(".qb-quiz")
        quiz.wait_for(timeout=30_000)
        notes = page.get_by_label("Your notes:")
        notes.wait_for(timeout=10_000)
        first = quiz.locator(".qb-question").first
        first.get_by_label("30 September 2015").check()
        quiz.get_by_role("button", name="Check answers").click()
        feedback = first.locator(".qb-feedback")
        expect(feedback).to_contain_text("✓ Right. 1 / 1 points.", timeout=10_000)
        option = first.locator(".qb-option-feedback")
        expect(option).to_contain_text("✓ right: 30 September 2015 — Right, the strikes began")
        # The score and the status line are set last, after the progress file is saved.
        expect(quiz.locator(".qb-score")).to_contain_text("Score: 1 / 7", timeout=10_000)
        expect(quiz.locator(".qb-status")).to_contain_text("Checked: 1 / 7", timeout=10_000)
        # Keyboard only: type an answer, move to Check answers, press Enter.
        short = quiz.locator(".qb-question").nth(3)
        short.get_by_label("Your answer:").focus()
        page.keyboard.type("hmeimim")
        quiz.get_by_role("button", name="Check answers").focus()
        page.keyboard.press("Enter")
        expect(short.locator(".qb-feedback")).to_contain_text("✓ Right.", timeout=10_000)
        expect(quiz.locator(".qb-score")).to_contain_text("Score: 2 / 7", timeout=10_000)
        expect(quiz.locator(".qb-status")).to_contain_text("Checked: 2 / 7", timeout=10_000)
        # Tab reaches each option of a radio group and Space chooses it.
        radios = quiz.locator(".qb-question").nth(2).locator("input[type=radio]")
        radios.nth(0).focus()
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        expect(radios.nth(1)).to_be_checked()
        expect(radios.nth(0)).not_to_be_checked()
        # axe-core finds nothing in the quiz or the notes box.
        from axe_playwright_python.sync_playwright import Axe

        for region in (".qb-quiz", ".qb-notes"):
            report = Axe().run(page, context=region)
            violations = [(v["id"], v["help"]) for v in report.response["violations"]]
            assert violations == [], (region, violations)
            assert report.response["passes"], region
        # The kernel saved the progress next to the notebook.
        saved = jupyterlab.root / "m1-all-types.quizbook.json"
        data = json.loads(saved.read_text(encoding="utf-8"))
        assert data["responses"]["q1"] == "b" and data["responses"]["q4"] == "hmeimim"
        assert data["attempts"] == 2
        page.screenshot(path=str(artifacts / "jupyterlab-quiz.png"))
    except Exception:
        page.screenshot(path=str(artifacts / "jupyterlab-failure.png"))
        raise
    finally:
        context.close()
    assert outside == [], f"JupyterLab page requested another host: {outside[:5]}"
    assert time.monotonic() - started < 60
