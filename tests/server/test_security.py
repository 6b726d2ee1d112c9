"""Attacks on the class server, each refused with its status and message (SQLite)."""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from quizbook.server import security
from quizbook.server.app import Classroom, create_app
from quizbook.server.models import Attempt
from tests.server.asgi import AppClient
from tests.server.conftest import BASE, QUIZ, TOKEN, Student, csrf_of


@pytest.fixture
def db_url(migrated_sqlite_url: str) -> str:
    return migrated_sqlite_url


def attempts(room: Classroom) -> int:
    with room.db.read() as session:
        return session.scalar(select(func.count()).select_from(Attempt)) or 0


def cookie_payload(client: Any) -> dict[str, Any]:
    raw = client.cookies["quizbook_class"]
    data: dict[str, Any] = json.loads(base64.b64decode(raw.split(".")[0] + "=="))
    return data


# --- the instructor token -------------------------------------------------------------


def test_instructor_token_is_checked_in_constant_time_and_leaves_the_address(
        app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr("quizbook.server.security.hmac.compare_digest", spy)
    with AppClient(app, base_url=BASE) as client:
        for url in ("/instructor", "/instructor?token=", "/instructor?token=guess",
                    f"/instructor?token={TOKEN[:-1]}"):
            refused = client.get(url, follow_redirects=False)
            assert refused.status_code == 403
            assert "instructors only" in refused.text
        assert client.get("/instructor/").status_code == 403
        entered = client.get(f"/instructor?token={TOKEN}", follow_redirects=False)
        assert entered.status_code == 303
        assert entered.headers["location"] == "/instructor/"
        assert (b"guess", TOKEN.encode()) in compared
        page = client.get("/instructor/")
        assert page.status_code == 200 and "Do not project it" not in page.text
        assert TOKEN not in page.text
        assert TOKEN not in json.dumps(cookie_payload(client))


def test_the_token_is_on_no_page_meant_for_students(
        room: Classroom, student: Callable[..., Student], instructor: Any) -> None:
    ada = student("Ada")
    ada.check({"q1": "b"})
    seen = [ada.client.get(url) for url in (
        "/join", "/class", "/api/me", f"/api/quizzes/{QUIZ}/answers", "/book/",
        "/book/lessons/01-minimal.html", "/no-such-page", "/instructor/")]
    seen += [instructor.get(url) for url in ("/instructor/", "/instructor/slips",
                                             "/instructor/codes.csv", "/book/")]
    for response in seen:
        assert TOKEN not in response.text, response.url
        assert TOKEN not in str(response.headers), response.url
    assert seen[-5].status_code == 403  # a student asking for the instructor page


def test_bearer_token_closes_a_quiz_without_a_session(app: Any, room: Classroom) -> None:
    with AppClient(app, base_url=BASE, headers={"origin": BASE}) as client:
        wrong = client.post(f"/instructor/quizzes/{QUIZ}/close",
                            headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 403
        done = client.post(f"/instructor/quizzes/{QUIZ}/close",
                           headers={"authorization": f"Bearer {TOKEN}"},
                           follow_redirects=False)
        assert done.status_code == 303
        missing = client.post("/instructor/quizzes/nope/close",
                              headers={"authorization": f"Bearer {TOKEN}"})
        assert missing.status_code == 404
    from quizbook.server.attempts import is_closed
    from quizbook.server.models import utcnow

    with room.db.read() as session:
        assert is_closed(session, QUIZ, room.policies.of(QUIZ), utcnow())


# --- cookies, origins, forms ----------------------------------------------------------


def test_session_cookie_is_signed_httponly_and_samesite(
        room_factory: Callable[..., Classroom], student: Callable[..., Student]) -> None:
    joined = student().join("Ada")
    cookie = joined.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()
    secure = create_app(room_factory(secure_cookies=True))
    with AppClient(secure, base_url="https://testserver") as client:
        assert "; secure" in client.get("/join").headers["set-cookie"].lower()


def test_a_forged_session_is_not_a_student(app: Any, student: Callable[..., Student]) -> None:
    ada = student("Ada")
    raw = ada.client.cookies["quizbook_class"]
    payload = cookie_payload(ada.client)
    payload["student"] = "0" * 32
    forged = base64.b64encode(json.dumps(payload).encode()).decode() + raw[raw.index("."):]
    with AppClient(app, base_url=BASE, headers={"origin": BASE}) as client:
        client.cookies.set("quizbook_class", forged)
        assert client.get("/api/me").status_code == 401
        assert client.get("/book/", follow_redirects=False).headers["location"] == "/join"


@pytest.mark.parametrize(("headers", "message"), [
    ({"origin": "https://evil.example"}, "refused: the request comes from another site"),
    ({"origin": "null"}, "refused: the request comes from another site"),
    ({}, "refused: the request has no Origin header"),
    ({"sec-fetch-site": "cross-site"}, "refused: the request has no Origin header"),
])
def test_state_changing_requests_from_elsewhere_are_refused(
        app: Any, room: Classroom, student: Callable[..., Student], headers: dict[str, str],
        message: str) -> None:
    ada = student("Ada")
    with AppClient(app, base_url=BASE, headers=headers, cookies=ada.client.cookies) as client:
        check = client.post(f"/api/quizzes/{QUIZ}/check", json={
            "attempt_id": "cross-site-0001", "version": "v", "responses": {}})
        assert check.status_code == 403
        assert check.json()["error"].startswith(message)
        join = client.post("/join", data={"name": "Mallory", "code": room.class_code})
        assert (join.status_code, join.text.startswith(message)) == (403, True)
    assert attempts(room) == 0


def test_forms_need_their_csrf_token(app: Any, room: Classroom) -> None:
    with AppClient(app, base_url=BASE, headers={"sec-fetch-site": "same-origin"}) as client:
        page = client.get("/join")
        no_token = client.post("/join", data={"name": "Ada", "code": room.class_code})
        assert no_token.status_code == 403
        assert "the form has expired" in no_token.text
        ok = client.post("/join", data={"name": "Ada", "code": room.class_code,
                                         "csrf": csrf_of(page.text)}, follow_redirects=False)
        assert ok.status_code == 303


# --- sizes and rates ------------------------------------------------------------------


def test_request_bodies_have_a_size_limit(room: Classroom,
                                          student: Callable[..., Student]) -> None:
    ada = student("Ada")
    big = {"attempt_id": "big-attempt-0001", "version": "v", "responses": {"q4": "x" * 270_000}}
    refused = ada.client.post(f"/api/quizzes/{QUIZ}/check", json=big)
    assert refused.status_code == 413
    assert refused.json() == {"error": "the request body is larger than 256,000 bytes"}

    def chunks() -> Any:  # no Content-Length: the limit counts what arrives
        for _ in range(300):
            yield b"x" * 1000

    streamed = ada.client.post(f"/api/quizzes/{QUIZ}/check", content=chunks(),
                               headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    form = ada.client.post("/join", data={"name": "x" * 270_000})
    assert form.status_code == 413
    assert attempts(room) == 0


def test_checks_and_joins_are_rate_limited_per_session(
        room_factory: Callable[..., Classroom]) -> None:
    room = room_factory(check_burst=3, check_per_minute=1, join_burst=2, join_per_minute=1)
    app = create_app(room)
    with AppClient(app, base_url=BASE, headers={"origin": BASE}) as client:
        pupil = Student(client, room)
        assert pupil.join("Ada", code="WRONG1").status_code == 400
        assert pupil.join("Ada").status_code == 303
        third = pupil.join("Ada")
        assert third.status_code == 429 and "too many tries to join" in third.text
        statuses = [pupil.check({"q1": "b"}).status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 409] and statuses[3] == 429  # 2 tries, then limit
        limited = pupil.check({"q1": "b"})
        assert limited.json()["error"].startswith("too many checks at once")
        assert int(limited.headers["retry-after"]) >= 1
    with AppClient(app, base_url=BASE, headers={"origin": BASE}) as other:
        fresh = Student(other, room)
        assert fresh.join("Bo").status_code == 303  # another session has its own budget
        assert fresh.check({"q1": "a"}).status_code == 200


# --- escaping -------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_names_are_escaped_in_every_page_and_csv(room: Classroom, instructor: Any,
                                                 student: Callable[..., Student]) -> None:
    pupil = student(HOSTILE)
    student("=HYPERLINK(\"http://evil\",\"click\")")
    pages = [pupil.client.get("/class").text, instructor.get("/instructor/").text,
             instructor.get("/instructor/slips").text]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    codes = instructor.get("/instructor/codes.csv")
    assert codes.headers["content-type"].startswith("text/csv")
    assert "\n'=HYPERLINK(" in codes.text.replace('"\'=', "'=").replace("\r", "") or \
        "'=HYPERLINK(" in codes.text
    assert "\n=HYPERLINK" not in codes.text.replace("\r", "")
    # The refused join page shows the typed name back, escaped.
    again = student().join(HOSTILE + "!", code="WRONG1")
    assert "<script>alert" not in again.text and "&lt;script&gt;" in again.text


def test_csv_cells_never_start_a_formula() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert security.csv_cell(text) == "'" + text
    assert security.csv_cell("Ada") == "Ada"


# --- files ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/book/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/book/..%2f..%2f..%2fetc%2fpasswd",
    "/book/%2Fetc%2Fpasswd", "/book/.buildinfo", "/book/_static/book.css.gz",
    "/book/outside.txt", "/book/lessons/%00.html",
])
def test_only_build_files_are_served(app: Any, fake_html: Path, tmp_path: Path,
                                     student: Callable[..., Student], path: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0: the instructor's notes", encoding="utf-8")
    (fake_html / "outside.txt").symlink_to(secret)
    ada = student("Ada")
    response = ada.client.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert "root:x" not in response.text and "secret-build-hash" not in response.text


def test_the_book_is_for_joined_students(app: Any, student: Callable[..., Student]) -> None:
    stranger = student()
    page = stranger.client.get("/book/lessons/01-minimal.html", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/join")
    ada = student("Ada")
    assert ada.client.get("/book/lessons/01-minimal.html").status_code == 200
    assert ada.client.post("/book/index.html").status_code == 405


def test_an_unexpected_error_shows_no_traceback(app: Any, student: Callable[..., Student],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("internal detail: /srv/secret/path")

    monkeypatch.setattr("quizbook.server.student_routes.store_attempt", broken)
    ada = student("Ada")
    response = ada.check({"q1": "b"})
    assert response.status_code == 500
    assert response.json() == {"error": "the server could not handle this request; your "
                                        "answer was not stored, send it again"}
    assert "secret" not in response.text and "Traceback" not in response.text


def test_every_response_says_no_sniffing_and_referrer_only_here(
        student: Callable[..., Student]) -> None:
    ada = student("Ada")
    for url in ("/join", "/class", "/api/me", "/book/lessons/01-minimal.html", "/healthz"):
        headers = ada.client.get(url).headers
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["referrer-policy"] == "same-origin", url
