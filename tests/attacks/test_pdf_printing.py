"""Attack class 1b: printing a PDF never reads a local file, runs script or asks another host.

Two layers are attacked. The printer itself, with a hand-written page that
carries what content could never carry after the build's checks (live
`<script>`, `onerror`, `<iframe src=file:///...>`, requests to another local
port and to another host): it is printed over the loopback server, so none of
that works. Then the whole export of a hostile course book whose `intro.md`
heading and text hold `<iframe src=file:///...>` and script: the PDFs show the
payload as text and never the file's content.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import os
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from quizbook.export import pdf
from tests.attacks.hostile_html import copy_book, edit

SECRET = "LOCAL-FILE-SECRET-7f3a9c"


def pdf_text(path: Path) -> str:
    """The PDF's text, ligatures (the "fi" in "file") undone."""
    return unicodedata.normalize(
        "NFKC", "".join(page.extract_text() for page in PdfReader(path).pages))


class _Recorder(http.server.SimpleHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def foreign(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """Another local origin (a different port): every request it gets is recorded."""
    seen: list[str] = []
    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / "frame.html").write_text("<p>FOREIGN-FRAME</p>", encoding="utf-8")
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def link_targets(path: Path) -> list[str]:
    """Every URI a PDF's link annotations point at."""
    targets = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


def _secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n", encoding="utf-8")
    return secret


def _site(tmp_path: Path, body: str) -> Path:
    site = tmp_path / "site"
    (site / "_static").mkdir(parents=True)
    (site / "_static" / "style.css").write_text("h1 { color: #000; }", encoding="utf-8")
    page = site / "page.html"
    page.write_text("<!DOCTYPE html><html><head><title>t</title>"
                    '<link rel="stylesheet" href="_static/style.css"></head>'
                    f"<body><h1>PAGE-BODY</h1>{body}</body></html>", encoding="utf-8")
    return page


# -- the loopback server ------------------------------------------------------------------


def _get(base: str, path: str, method: str = "GET") -> tuple[int, dict[str, str]]:
    host, port = base.split("//", 1)[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        connection.close()


def test_print_server_serves_only_regular_files_of_the_site(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    page = _site(tmp_path, "")
    site = page.parent
    os.symlink(secret, site / "link-out.txt")
    (site / ".buildinfo").write_text("hidden", encoding="utf-8")
    (site / "sub").mkdir()
    with pdf.serve_site(site) as base:
        assert base.startswith("http://127.0.0.1:")
        status, headers = _get(base, "/page.html")
        assert status == 200
        policy = headers["Content-Security-Policy"]
        assert "script-src 'none'" in policy and "default-src 'self'" in policy
        assert "frame-src 'none'" in policy and "object-src 'none'" in policy
        assert _get(base, "/_static/style.css")[0] == 200
        for path in ("/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/link-out.txt",
                     "/.buildinfo", "/sub/", "/", f"/{secret}", "/missing.html"):
            assert _get(base, path)[0] == 404, path
        assert _get(base, "/page.html", "POST")[0] == 501
        assert _get(base, "/page.html", "PUT")[0] == 501


def test_isolation_flags_send_everything_but_the_site_to_a_dead_proxy() -> None:
    with pdf.refusing_port() as port:
        args = pdf.isolation_args("http://127.0.0.1:4567/", port)
        assert args == [f"--proxy-server=http://127.0.0.1:{port}",
                        "--proxy-bypass-list=<-loopback>;127.0.0.1:4567"]
        # Nothing listens there: a connection is refused at once.
        with pytest.raises(ConnectionRefusedError):
            http.client.HTTPConnection("127.0.0.1", port, timeout=5).connect()


def test_a_page_that_redirects_is_not_printed(tmp_path: Path) -> None:
    page = _site(tmp_path, "")
    edit(page, "<title>", '<meta http-equiv="Refresh" content="0; url=http://evil.example/">'
                          "<title>")
    with pytest.raises(pdf.PdfError, match="http-equiv"):
        pdf.print_pdf(page, tmp_path / "out.pdf", "student", chromium=sys.executable)
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.browser
def test_printer_runs_no_script_reads_no_file_and_asks_no_other_origin(
        tmp_path: Path, foreign: tuple[str, list[str]]) -> None:
    other, seen = foreign
    secret = _secret_file(tmp_path)
    page = _site(tmp_path, f"""
<script>document.body.insertAdjacentText('beforeend', 'SCRIPT-RAN')</script>
<img src=x onerror="document.body.insertAdjacentText('beforeend', 'HANDLER-RAN')">
<iframe src="file://{secret}"></iframe>
<iframe src="file:///etc/hostname"></iframe>
<object data="file://{secret}" type="text/plain"></object>
<embed src="file://{secret}" type="text/plain">
<img src="file://{secret}">
<iframe src="{other}/frame.html"></iframe>
<img src="{other}/image.png">
<link rel="stylesheet" href="{other}/style.css">
<style>@import url("{other}/import.css"); body {{ background: url("{other}/bg.png"); }}</style>
<img src="http://foreign.example/remote.png">
<svg onload="document.body.insertAdjacentText('beforeend', 'SVG-RAN')"></svg>
""")
    out = tmp_path / "out.pdf"
    pdf.print_pdf(page, out, "student")
    text = pdf_text(out)
    assert "PAGE-BODY" in text
    for marker in ("SCRIPT-RAN", "HANDLER-RAN", "SVG-RAN", SECRET, "FOREIGN-FRAME"):
        assert marker not in text, marker
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    if len(hostname) >= 4:
        assert hostname not in text
    assert seen == []


# -- the export of a hostile book -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_export_pdfs_show_iframe_payload_as_text_and_never_the_file(tmp_path: Path) -> None:
    secret = _secret_file(tmp_path)
    book = copy_book(tmp_path / "book")
    iframe = f"<iframe src=file://{secret}></iframe>"
    hosts = "<iframe src=file:///etc/hostname></iframe>"
    script = "<script>document.write(1+1)</script>"
    edit(book / "intro.md", "# Russia and Iran in the Syrian war: reading a chapter critically",
         f"# Russia and Iran {iframe}")
    edit(book / "intro.md", "## For students", f"## For students {hosts} {script}\n\n"
                                               f"A paragraph {iframe} {hosts}")
    out = tmp_path / "export"
    proc = subprocess.run([sys.executable, "-m", "quizbook", "export", "--book", str(book),
                           "--out", str(out), "--edition", "all"],
                          capture_output=True, text=True, timeout=1800, cwd=book)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip()
    for edition in ("student", "instructor"):
        text = pdf_text(out / edition / "pdf" / f"quizbook-{edition}.pdf")
        squashed = "".join(text.split())
        assert SECRET not in text
        assert "".join(iframe.split()) in squashed  # the heading, printed as text
        assert "".join(hosts.split()) in squashed and "".join(script.split()) in squashed
        if len(hostname) >= 4:
            assert hostname not in text
        # No link to the print server (gone after printing) or to a local path.
        targets = link_targets(out / edition / "pdf" / f"quizbook-{edition}.pdf")
        assert targets and all(t.startswith("https://") for t in targets), targets
