"""The real thing: `quizbook serve` as a uvicorn process on SQLite and PostgreSQL.

Three students answer right, wrong and partly; a fourth works offline and resends
her queued attempts (stored exactly once); the server is killed with SIGKILL while
attempts arrive and restarted: no acknowledged attempt is lost, sessions survive,
and `quizbook class export` matches what was answered.
"""

from __future__ import annotations

import csv
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from quizbook.book import open_book
from quizbook.bundle import make_bundle
from quizbook.cli import main
from quizbook.server.keyfree import keyfree_bundle
from tests.helpers import right_response, wrong_response
from tests.server.conftest import QUIZ, HttpStudent, Server, stored_attempts

pytestmark = pytest.mark.slow


@pytest.fixture
def db_url(fresh_db_url: str) -> str:
    """An empty database: the real server runs the migrations when it starts."""
    return fresh_db_url


def test_a_class_session_with_an_offline_student_and_a_crash(
        minimal_class_book: Path, db_url: str, serve: Callable[..., Server],
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = minimal_class_book
    quiz = next(q for q in open_book(book).quizzes() if q.id == QUIZ)
    versions = {QUIZ: keyfree_bundle(make_bundle(quiz))["version"]}
    right = {q.id: right_response(q) for q in quiz.questions}
    wrong = {q.id: wrong_response(q) for q in quiz.questions}
    partly = {"q1": "b", "q2": ["a", "b", "c"], "q3": True, "q5": "1999"}
    server = serve(book, db_url)

    people = {name: HttpStudent(server, versions) for name in ("Ada", "Bo", "Cy", "Dee")}
    for name, pupil in people.items():
        assert pupil.join(name).status_code == 200
    replies = {name: people[name].check(answers, str(uuid.uuid4())).json()
               for name, answers in (("Ada", right), ("Bo", wrong), ("Cy", partly))}
    assert [replies[n]["score"] for n in ("Ada", "Bo", "Cy")] == [7, 0, 2.5]

    # Dee answers offline: the runtime queues attempts with the ids it made. The first
    # reached the server but its reply was lost; she resends the whole queue.
    dee = people["Dee"]
    queue = [(f"dee-offline-{n}", answers) for n, answers in enumerate([wrong, right])]
    lost = dee.check(queue[0][1], queue[0][0])
    resent = [dee.check(answers, attempt_id) for attempt_id, answers in queue]
    assert [r.status_code for r in resent] == [200, 200]
    assert resent[0].content == lost.content
    again = dee.check(queue[1][1], queue[1][0])  # and once more, for luck
    assert again.content == resent[1].content
    counts = stored_attempts(db_url)
    assert counts["dee-offline-0"] == counts["dee-offline-1"] == 1

    # A crowd checks while the server is killed with SIGKILL.
    crowd = [HttpStudent(server, versions) for _ in range(12)]
    for n, pupil in enumerate(crowd):
        assert pupil.join(f"Crowd {n:02d}").status_code == 200
    acknowledged: list[str] = []
    unanswered: list[tuple[HttpStudent, str, dict[str, Any]]] = []
    lock = threading.Lock()
    enough = threading.Event()

    def keep_checking(pupil: HttpStudent) -> None:
        for answers in (wrong, right):
            attempt_id = str(uuid.uuid4())
            try:
                response = pupil.check(answers, attempt_id)
            except httpx.TransportError:
                with lock:
                    unanswered.append((pupil, attempt_id, answers))
                continue
            with lock:
                if response.status_code == 200:
                    acknowledged.append(attempt_id)
                    if len(acknowledged) >= 6:
                        enough.set()
                else:  # a request cut by the kill before the app answered it
                    unanswered.append((pupil, attempt_id, answers))

    threads = [threading.Thread(target=keep_checking, args=(p,)) for p in crowd]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=120), "no attempts were acknowledged"
    server.kill()
    for thread in threads:
        thread.join(timeout=120)
    counts = stored_attempts(db_url)
    assert all(counts.get(a) == 1 for a in acknowledged), "an acknowledged attempt was lost"

    # Restart on the same database: the same class code, sessions still valid.
    restarted = serve(book, db_url)
    assert restarted.class_code == server.class_code
    for pupil in [*people.values(), *crowd]:
        pupil.client.base_url = httpx.URL(restarted.base)
        pupil.client.headers["origin"] = restarted.base
    for pupil, attempt_id, answers in unanswered:  # the offline queue, sent again
        response = pupil.check(answers, attempt_id)
        assert response.status_code in (200, 409), response.text  # 409: no tries left
    saved = people["Ada"].client.get(f"/api/quizzes/{QUIZ}/answers").json()
    assert saved["attempts"] == 1 and saved["counted"]["score"] == 7
    counts = stored_attempts(db_url)
    assert all(count == 1 for count in counts.values())
    assert all(counts.get(a) == 1 for a in acknowledged)

    # The export says what was answered.
    out = tmp_path / "export"
    assert main(["class", "export", "--book", str(book), "--db", db_url, "-o", str(out)]) == 0
    capsys.readouterr()
    with (out / "scores.csv").open(encoding="utf-8", newline="") as handle:
        scores = {row[0]: row[2:4] for row in csv.reader(handle)}
    assert scores["Ada"] == ["7", "1"] and scores["Bo"] == ["0", "1"]
    assert scores["Cy"] == ["2.5", "1"] and scores["Dee"] == ["0", "2"]  # her first counts
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        passed = {row[0]: row[2] for row in csv.reader(handle)}
    assert (passed["Ada"], passed["Bo"], passed["Cy"], passed["Dee"]) == ("pass", "fail",
                                                                          "fail", "fail")
    for pupil in [*people.values(), *crowd]:
        pupil.close()


def test_open_to_the_network_with_a_warning_and_tls(minimal_class_book: Path, tmp_path: Path,
                                                    serve: Callable[..., Server]) -> None:
    """`--host 0.0.0.0` warns; `--certfile/--keyfile` serve HTTPS with Secure cookies."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make a test certificate: apt-get install openssl",
                    pytrace=False)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = serve(minimal_class_book, f"sqlite:///{tmp_path / 'class.db'}", "--host",
                   "0.0.0.0", "--certfile", str(cert), "--keyfile", str(key), scheme="https")
    assert server.lines[0].startswith("Students: https://")
    assert "127.0.0.1" not in server.lines[0]  # the address others on the network use
    with httpx.Client(base_url=server.base, verify=False) as client:
        page = client.get("/join")
        assert page.status_code == 200
        cookie = page.headers["set-cookie"].lower()
        assert "; secure" in cookie and "httponly" in cookie
    server.stop()
    assert server.process.stderr is not None
    assert "warning: --host 0.0.0.0 opens the class server to every device on this network" \
        in server.process.stderr.read()
