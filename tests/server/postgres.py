"""A throwaway PostgreSQL cluster from Debian's binaries, for the class server's tests
and the lecture-hall bench.

`initdb` in a temporary folder and `pg_ctl` on a free port; as root, both run as the
`postgres` user (PostgreSQL refuses to run as root). Without the binaries, the test
fails saying exactly what to install: a missing database is not a reason to skip.
Tests run it with fsync off (speed); the bench with fsync on (`durable=True`), as a
department server would.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from glob import glob
from pathlib import Path

import pytest

INSTALL = ("PostgreSQL is needed for the class server's database tests: install it with "
           "`apt-get install postgresql` (Debian/Ubuntu; .ci/run does this), which provides "
           "initdb and pg_ctl in /usr/lib/postgresql/<version>/bin")


def bin_dir() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).resolve().parent if which else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_owner(cmd: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *cmd] if owner else cmd


class ClusterError(Exception):
    """No cluster could be started; the message says what to install or what failed."""


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster for the tests (fsync off); yield its base URL
    (`postgresql://quizbook@127.0.0.1:PORT`). Fails the test when it cannot."""
    try:
        with start_cluster() as base:
            yield base
    except ClusterError as exc:
        pytest.fail(str(exc), pytrace=False)


@contextmanager
def start_cluster(durable: bool = False) -> Iterator[str]:
    """Start a cluster; yield its base URL. `durable`: fsync and full page writes on."""
    binaries = bin_dir()
    if binaries is None or not (binaries / "pg_ctl").exists():
        raise ClusterError(INSTALL)
    owner = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise ClusterError("running as root, PostgreSQL needs the `postgres` user that "
                               "Debian's postgresql package creates: apt-get install "
                               "postgresql") from None
        owner = "postgres"
    folder = Path(tempfile.mkdtemp(prefix="quizbook-pg-"))
    if owner:
        shutil.chown(folder, user=owner)
    data, logfile = folder / "data", folder / "server.log"
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "quizbook",
                                  "--auth=trust", "-E", "UTF8", "--no-sync"], owner),
                       check=True, capture_output=True, text=True, env=env, cwd=folder)
        safety = "" if durable else "-c fsync=off -c full_page_writes=off "
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 {safety}"
                   "-c max_connections=200")
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-l",
                                  str(logfile), "-o", options, "-w", "-t", "60", "start"],
                                 owner), check=True, capture_output=True, text=True, env=env,
                       cwd=folder)
    except subprocess.CalledProcessError as exc:
        log = logfile.read_text(errors="replace") if logfile.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise ClusterError(f"could not start a PostgreSQL cluster: {exc.stderr}\n"
                           f"{log[-2000:]}") from None
    try:
        yield f"postgresql://quizbook@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m",
                                  "immediate", "-w", "stop"], owner),
                       capture_output=True, env=env, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(base: str, name: str) -> str:
    """A new, empty database `name`; its URL."""
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"
