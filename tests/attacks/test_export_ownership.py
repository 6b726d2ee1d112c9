"""Class 6: `quizbook export` never destroys what it did not make, and zips only its own files.

The refusals happen before any build, so most attacks run the real command quickly; one
slow test runs a whole export (instructor edition, no PDF) over planted foreign files,
symlinks and a folder left by the previous release.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from quizbook.cli import main
from quizbook.export import archive, ownership
from tests.conftest import MINIMAL_BOOK


def export(out: Path, capsys: pytest.CaptureFixture[str], *extra: str,
           book: Path = MINIMAL_BOOK) -> tuple[int, str]:
    code = main(["export", "--book", str(book), "--out", str(out), "--no-pdf", *extra])
    return code, capsys.readouterr().err


def instructor_ready_book(tmp_path: Path) -> Path:
    """The minimal test book with an instructor configuration (it ships without one)."""
    book = tmp_path / "book"
    shutil.copytree(MINIMAL_BOOK, book, ignore=shutil.ignore_patterns("_build"))
    config = (book / "_config.yml").read_text(encoding="utf-8")
    assert "\n  config:\n" in config
    (book / "_config_instructor.yml").write_text(
        config.replace("\n  config:\n", "\n  config:\n    quizbook_edition: instructor\n", 1),
        encoding="utf-8")
    return book


def legacy_student(out: Path) -> Path:
    """A student folder as the release before markers wrote it."""
    (out / "student" / "pdf").mkdir(parents=True)
    (out / "student" / "pdf" / "quizbook-student.pdf").write_bytes(b"%PDF old")
    (out / "student" / "notebooks").mkdir()
    (out / "student" / "notebooks" / "01-x.ipynb").write_text("{}")
    return out / "student"


# -- refusals: nothing is deleted ----------------------------------------------------------


@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_a_folder_with_someone_elses_files_is_refused(tmp_path: Path, edition: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "out" / edition / "thesis.docx"
    mine.parent.mkdir(parents=True)
    mine.write_text("two years of work")
    code, err = export(tmp_path / "out", capsys, "--edition", edition)
    assert code == 1
    assert err.endswith(
        f"quizbook: export failed: {tmp_path / 'out' / edition} was not made by quizbook "
        f"export (no .quizbook-export marker) and holds files it does not make: thesis.docx. "
        "Nothing was deleted: choose another --out, or move those files away\n")
    assert mine.read_text() == "two years of work"


def test_a_stray_file_beside_the_known_layout_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    student = legacy_student(tmp_path / "out")
    (student / "pdf" / "notes.txt").write_text("mine")
    code, err = export(tmp_path / "out", capsys, "--edition", "student")
    assert code == 1 and "holds files it does not make: pdf/notes.txt." in err
    assert (student / "pdf" / "quizbook-student.pdf").read_bytes() == b"%PDF old"


def test_a_file_added_to_a_marked_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "student"
    (folder / "pdf").mkdir(parents=True)
    (folder / "pdf" / "quizbook-student.pdf").write_bytes(b"%PDF")
    assert ownership.seal(folder) == ["pdf/quizbook-student.pdf"]
    (folder / "pdf" / "annotated.pdf").write_bytes(b"%PDF mine")
    with pytest.raises(ownership.NotOurs) as info:
        ownership.clear(folder, "student")
    assert str(info.value) == (f"{folder} holds files quizbook export did not make: "
                               "pdf/annotated.pdf")
    assert (folder / "pdf" / "annotated.pdf").exists()


@pytest.mark.parametrize("kind", ["link-to-outside", "link-to-folder", "fifo"])
def test_symlinks_and_special_files_are_refused(tmp_path: Path, kind: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not the export's")
    folder = tmp_path / "student"
    (folder / "notebooks").mkdir(parents=True)
    planted = folder / "notebooks" / "01-x.ipynb"
    if kind == "link-to-outside":
        planted.symlink_to(outside / "secret.txt")
    elif kind == "link-to-folder":
        planted.symlink_to(outside)
    else:
        os.mkfifo(planted)
    with pytest.raises(ownership.NotOurs) as info:
        ownership.clear(folder, "student")
    what = "special file" if kind == "fifo" else "symbolic link"
    assert str(info.value) == f"{planted} is a {what}, which quizbook export never makes"
    assert (outside / "secret.txt").read_text() == "not the export's"


def test_an_edition_folder_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    (tmp_path / "student").symlink_to(target)
    with pytest.raises(ownership.NotOurs) as info:
        ownership.clear(tmp_path / "student", "student")
    assert str(info.value) == (f"{tmp_path / 'student'} is not a folder the export made (a "
                               "symbolic link or a file)")
    assert (target / "keep.txt").exists()


def test_a_legacy_folder_is_recognised_and_a_marked_one_replaced(tmp_path: Path) -> None:
    student = legacy_student(tmp_path)
    assert ownership.owned_files(student, "student") == ["notebooks/01-x.ipynb",
                                                         "pdf/quizbook-student.pdf"]
    ownership.clear(student, "student")
    assert not student.exists()
    student = legacy_student(tmp_path)
    ownership.seal(student)
    marker = json.loads((student / ".quizbook-export").read_text())
    assert marker == {"format": "quizbook-export/1",
                      "files": ["notebooks/01-x.ipynb", "pdf/quizbook-student.pdf"]}
    ownership.clear(student, "student")
    assert not student.exists()


def test_a_forged_marker_does_not_make_a_folder_ours(tmp_path: Path) -> None:
    folder = tmp_path / "instructor"
    folder.mkdir()
    (folder / "mine.txt").write_text("mine")
    (folder / ".quizbook-export").write_text('{"format": "something else", "files": []}')
    with pytest.raises(ownership.NotOurs, match=r"no \.quizbook-export marker"):
        ownership.clear(folder, "instructor")
    (folder / ".quizbook-export").write_text('{"format": "quizbook-export/1", "files": []}')
    with pytest.raises(ownership.NotOurs, match=r"did not make: mine\.txt"):
        ownership.clear(folder, "instructor")
    assert (folder / "mine.txt").exists()


# -- the zip holds exactly what it is given, and follows no link -----------------------------


def test_the_zip_never_follows_a_symlinked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    folder = tmp_path / "instructor"
    folder.mkdir()
    (folder / "lms").symlink_to(outside)
    with pytest.raises(archive.ArchiveError) as info:
        archive.zip_files([(folder, "instructor", ["lms/secret.txt"])], tmp_path / "a.zip")
    assert str(info.value) == (f"{folder / 'lms'} is not a plain folder (a symbolic link?); "
                               "not zipped")
    (folder / "x.txt").symlink_to(outside / "secret.txt")
    with pytest.raises(archive.ArchiveError, match=r"x\.txt: Too many levels of symbolic links"):
        archive.zip_files([(folder, "instructor", ["x.txt"])], tmp_path / "a.zip")
    assert not (tmp_path / "a.zip").exists()


def test_the_zip_holds_exactly_the_listed_files(tmp_path: Path) -> None:
    folder = tmp_path / "instructor"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "index.html").write_text("<p>made</p>")
    (folder / "html" / "stray.html").write_text("<p>not listed</p>")
    assert archive.zip_files([(folder, "instructor", ["html/index.html"])],
                             tmp_path / "a.zip") == 1
    with zipfile.ZipFile(tmp_path / "a.zip") as zipped:
        assert zipped.namelist() == ["instructor/html/index.html"]


# -- a real export --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_real_export_replaces_its_own_and_zips_only_its_own(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    # The previous release's folders (no marker), and a student folder that is *not* ours
    # but that an instructor-only export must leave alone and out of its zip.
    (out / "instructor" / "lms").mkdir(parents=True)
    (out / "instructor" / "lms" / "quizbook-moodle.xml").write_text("<old/>")
    (out / "student").mkdir()
    (out / "student" / "diary.txt").write_text("private")
    (out / "student" / "link").symlink_to("/etc")
    book = instructor_ready_book(tmp_path)
    code, err = export(out, capsys, "--edition", "instructor", book=book)
    assert code == 0, err
    assert (f"note: the instructor zip leaves out student/: {out / 'student' / 'link'} is a "
            "symbolic link, which quizbook export never makes") in err
    assert (out / "student" / "diary.txt").read_text() == "private"
    marker = json.loads((out / "instructor" / ".quizbook-export").read_text())
    made = marker["files"]
    assert "lms/quizbook-moodle.xml" in made and "quizbook-instructor.zip" in made
    with zipfile.ZipFile(out / "instructor" / "quizbook-instructor.zip") as zipped:
        names = zipped.namelist()
    assert names == sorted(f"instructor/{f}" for f in made if f != "quizbook-instructor.zip")
    assert not any(n.startswith("student/") or "passwd" in n for n in names)
    # Again: the marked folder is the export's own, so it is replaced without a word.
    code, err = export(out, capsys, "--edition", "instructor", book=book)
    assert code == 0, err
    assert json.loads((out / "instructor" / ".quizbook-export").read_text())["files"] == made
