"""End to end: a generated student notebook in a real JupyterLab, driven by headless Chromium.

JupyterLab listens on 127.0.0.1 only, with a random token, in a temporary folder holding
what a student gets: one generated notebook and `quizbook_widget.py`, plus the progress
file the earlier ipywidgets quiz saved there. JupyterLab and its kernel run in an
environment that cannot import quizbook (tests/kernel_support.py), as a student's.
The test runs every cell and finds the book's quiz (the anywidget): the old progress
carried over and re-graded; an answer by clicking its label and Check answers; an answer
and Check by keyboard alone (arrow keys in a radio group stay in the quiz); feedback and
score; the progress file and the results download (and its copy) beside the notebook;
the notes box saved; axe-core on both; no request to another host. JupyterLab (and its
kernel) are stopped in teardown.
"""

from __future__ import annotations

import json
import os
import re
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

from quizbook.bundle import make_bundle
from quizbook.handin import DEFAULT as HAND_IN  # the minimal book sets no hand-in line
from quizbook.load import load_quiz
from quizbook.notebooks import write_notebooks
from quizbook.results import parse_results
from tests.kernel_support import without_quizbook

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "books" / "minimal"
OLD_PROGRESS = ROOT / "tests" / "fixtures" / "old-widget-progress.json"
QUIZ = "m1-all-types"
QUIZ_FILE = MINIMAL / "quizzes" / f"{QUIZ}.yml"
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
    write_notebooks(MINIMAL, root, "student")  # the notebook and quizbook_widget.py
    (root / f"{QUIZ}.quizbook.json").write_text(OLD_PROGRESS.read_text(encoding="utf-8"),
                                                 encoding="utf-8")
    home = tmp_path / "home"
    # No "official Jupyter news?" prompt over the page (and no fetching of news).
    notif = home / "settings" / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True)
    (notif / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")
    env = dict(without_quizbook(tmp_path / "no-quizbook"), HOME=str(home),
               JUPYTER_CONFIG_DIR=str(home / "config"),
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


def test_notebook_quiz_in_jupyterlab(jupyterlab: Lab, browser: Any, artifacts: Path,
                                     tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
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
        quiz = page.locator(f'.qb-widget [data-quizbook-quiz="{QUIZ}"]')
        quiz.wait_for(timeout=30_000)
        notes = page.get_by_label("Your notes:")
        notes.wait_for(timeout=10_000)
        assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        score = quiz.locator("[data-quizbook-score]")
        status = quiz.locator(".qb-status")
        question = {n: quiz.locator(f'[data-question-id="q{n}"]') for n in range(1, 8)}

        # The progress the ipywidgets quiz saved is back, graded again by the runtime.
        expect(score).to_have_text("2.75 / 7", timeout=10_000)
        expect(status).to_contain_text("Your saved answers are back (2 checks")
        expect(question[1].get_by_label("30 September 2015")).to_be_checked()
        expect(question[4].get_by_label("Your answer")).to_have_value("hmeimim")
        expect(question[2].locator(".qb-verdict")).to_have_text("◐ Partly right. 0.5 / 1 points.")
        # Saved by the earlier quiz under the version scheme before issue 12: carried over
        # (its matching answer renumbered), the name remembered, with no notice.
        expect(quiz.locator("[data-quizbook-who-name]")).to_have_text("Ada Lovelace")
        expect(quiz.locator(".qb-switch")).to_be_hidden()  # a notebook folder is one student's
        expect(quiz.locator(".qb-handin")).to_have_text(HAND_IN)

        # Click a label, then Check answers: the book's feedback.
        question[3].get_by_label("True").check()
        expect(question[3].locator(".qb-fb")).to_have_text("")  # a changed answer hides feedback
        quiz.get_by_role("button", name="Check answers").click()
        expect(question[3].locator(".qb-verdict")).to_have_text("✓ Right. 1 / 1 points.")
        expect(score).to_have_text("3.75 / 7")
        expect(status).to_contain_text("Checked: 3.75 / 7 points.")

        # Keyboard only: type an answer, Tab to Check answers, press Enter.
        question[5].get_by_label("Your answer").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("2015")
        while page.evaluate("document.activeElement.dataset.quizbookAction") != "check":
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(question[5].locator(".qb-verdict")).to_have_text("✓ Right. 1 / 1 points.")
        expect(score).to_have_text("4.75 / 7")
        # Arrow keys move within a radio group (JupyterLab does not take them here).
        radios = question[1].locator("input[type=radio]")
        radios.nth(1).focus()
        page.keyboard.press("ArrowUp")
        expect(radios.nth(0)).to_be_checked()
        expect(radios.nth(1)).not_to_be_checked()
        expect(question[1].locator(".qb-fb")).to_have_text("")

        # The kernel saved the progress beside the notebook, in the same file format.
        saved_path = jupyterlab.root / f"{QUIZ}.quizbook.json"
        deadline = time.monotonic() + 10
        while json.loads(saved_path.read_text(encoding="utf-8"))["attempts"] < 4:
            assert time.monotonic() < deadline, saved_path.read_text(encoding="utf-8")
            time.sleep(0.2)
        saved = json.loads(saved_path.read_text(encoding="utf-8"))
        assert saved["format"] == "quizbook-progress/1" and saved["quiz"] == QUIZ
        assert saved["student"] == "Ada Lovelace"
        assert saved["responses"]["q3"] is True and saved["responses"]["q5"] == "2015"
        assert saved["outcomes"]["q5"] == {"points": 1, "max": 1, "correct": True, "attempts": 2}

        # Download: the browser saves the file, the kernel keeps a copy beside the notebook.
        with page.expect_download() as info:
            quiz.get_by_role("button", name="Download my results").click()
        name = info.value.suggested_filename
        assert re.fullmatch(rf"results-ada-lovelace-{QUIZ}-\d{{4}}-\d\d-\d\d\.json", name), name
        downloaded = tmp_path / "results.json"
        info.value.save_as(downloaded)
        results = parse_results(downloaded.read_bytes(), "results.json")
        assert (results.student, results.source) == ("Ada Lovelace", "notebook")
        assert results.quizzes[0].score == 4.75
        assert results.quizzes[0].version == make_bundle(load_quiz(QUIZ_FILE))["version"]
        expect(status).to_contain_text(f"A copy is also next to this notebook: {name}")
        copy = jupyterlab.root / name
        assert parse_results(copy.read_bytes(), copy.name) == results

        # The notes box saves beside the notebook.
        notes.fill("Air power without ground troops.")
        notes.blur()
        notes_path = jupyterlab.root / "01-minimal.notes.json"
        deadline = time.monotonic() + 10
        while not notes_path.exists() or "ground troops" not in notes_path.read_text("utf-8"):
            assert time.monotonic() < deadline, "the notes were not saved"
            time.sleep(0.2)

        # axe-core finds nothing in the quiz or the notes box.
        from axe_playwright_python.sync_playwright import Axe

        for region in (".qb-widget", ".qb-notes"):
            report = Axe().run(page, context=region)
            violations = [(v["id"], v["help"]) for v in report.response["violations"]]
            assert violations == [], (region, violations)
            assert report.response["passes"], region
        page.screenshot(path=str(artifacts / "jupyterlab-quiz.png"))
        quiz.screenshot(path=str(artifacts / "jupyterlab-quiz-widget.png"))
    except Exception:
        page.screenshot(path=str(artifacts / "jupyterlab-failure.png"))
        raise
    finally:
        context.close()
    assert outside == [], f"JupyterLab page requested another host: {outside[:5]}"
