"""Serving the book: gzip copies, cache lifetimes, validators (304), for joined students."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from quizbook.server.bookfiles import accepts_gzip, precompress
from tests.server.conftest import Student


@pytest.fixture
def db_url(migrated_sqlite_url: str) -> str:
    return migrated_sqlite_url


def test_compressed_when_the_browser_accepts_gzip(fake_html: Path,
                                                  student: Callable[..., Student]) -> None:
    ada = student("Ada")
    page = fake_html / "lessons" / "01-minimal.html"
    packed = ada.client.get("/book/lessons/01-minimal.html",
                            headers={"accept-encoding": "gzip, br"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-type"] == "text/html; charset=utf-8"
    assert packed.headers["vary"].startswith("Accept-Encoding")
    assert int(packed.headers["content-length"]) == (page.parent / (page.name + ".gz")) \
        .stat().st_size < page.stat().st_size
    assert packed.num_bytes_downloaded < page.stat().st_size
    assert packed.content == page.read_bytes()  # httpx inflates it: the same bytes
    plain = ada.client.get("/book/lessons/01-minimal.html",
                           headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == page.read_bytes()


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip", True), ("deflate, gzip;q=0.8", True), ("*", True), ("gzip;q=0", False),
    ("identity", False), ("", False), ("br", False)])
def test_accept_encoding(header: str, expected: bool) -> None:
    assert accepts_gzip(httpx.Headers({"accept-encoding": header})) is expected  # type: ignore[arg-type]


def test_cache_lifetimes(student: Callable[..., Student]) -> None:
    ada = student("Ada")
    versioned = ada.client.get("/book/_static/book.css?v=1234abcd")
    assert versioned.headers["cache-control"] == "private, max-age=31536000, immutable"
    asset = ada.client.get("/book/_static/book.css")
    assert asset.headers["cache-control"] == "private, max-age=86400"
    page = ada.client.get("/book/lessons/01-minimal.html")
    assert page.headers["cache-control"] == "private, no-cache"


def test_pages_are_revalidated_with_etag_and_last_modified(
        student: Callable[..., Student]) -> None:
    ada = student("Ada")
    for encoding in ("gzip", "identity"):
        first = ada.client.get("/book/lessons/01-minimal.html",
                               headers={"accept-encoding": encoding})
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        same = ada.client.get("/book/lessons/01-minimal.html", headers={
            "accept-encoding": encoding, "if-none-match": etag})
        assert same.status_code == 304 and same.content == b""
        since = ada.client.get("/book/lessons/01-minimal.html", headers={
            "accept-encoding": encoding, "if-modified-since": modified})
        assert since.status_code == 304
    gz_tag = ada.client.get("/book/lessons/01-minimal.html",
                            headers={"accept-encoding": "gzip"}).headers["etag"]
    plain_tag = ada.client.get("/book/lessons/01-minimal.html",
                               headers={"accept-encoding": "identity"}).headers["etag"]
    assert gz_tag != plain_tag  # one tag per representation


def test_a_stale_gzip_copy_is_not_served(fake_html: Path,
                                         student: Callable[..., Student]) -> None:
    import os
    import time

    css = fake_html / "_static" / "book.css"
    css.write_text("body { color: #222; }\n" * 40, encoding="utf-8")
    later = time.time() + 10
    os.utime(css, (later, later))
    ada = student("Ada")
    response = ada.client.get("/book/_static/book.css", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.text.startswith("body { color: #222; }")


def test_precompress_is_deterministic_and_skips_small_files(tmp_path: Path) -> None:
    (tmp_path / "big.js").write_text("var x = 1;\n" * 100, encoding="utf-8")
    (tmp_path / "small.js").write_text("x", encoding="utf-8")
    (tmp_path / "font.woff2").write_bytes(b"\0" * 1000)
    first = precompress(tmp_path)
    data = (tmp_path / "big.js.gz").read_bytes()
    second = precompress(tmp_path)
    assert first == second and first.files == 1
    assert (tmp_path / "big.js.gz").read_bytes() == data
    assert gzip.decompress(data) == (tmp_path / "big.js").read_bytes()
    assert not (tmp_path / "small.js.gz").exists() and not (tmp_path / "font.woff2.gz").exists()

