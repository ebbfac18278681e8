"""The preview server: only this machine's names, quiet about clients that leave, clean on SIGTERM."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import copy_site, interruptible, run_aisite

pytestmark = pytest.mark.cli
SITES = Path(__file__).parent / "sites"


@contextmanager
def serving(tmp: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`aisite serve --port 0` of the basic site, its temporary folders kept in tmp/temp."""
    site = copy_site(SITES / "basic", tmp / "src")
    (tmp / "temp").mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aisite", "serve", "--port", "0", "--source", str(site)],
        preexec_fn=interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp / "temp")},
    )
    try:
        assert proc.stdout is not None
        port = 0
        for _ in range(20):
            found = re.search(r"at http://127\.0\.0\.1:(\d+)/", proc.stdout.readline())
            if found:
                port = int(found.group(1))
                break
        assert port, "serve did not print its address"
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=15)


def _get(port: int, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/", headers={"Host": host})
    status = conn.getresponse().status
    conn.close()
    return status


def test_serve_answers_only_local_host_names(tmp_path: Path) -> None:
    with serving(tmp_path) as (proc, port):
        for host in ("localhost", f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
            assert _get(port, host) == 200, host
        for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.nip.io"):
            assert _get(port, host) == 403, host
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)


def test_clients_that_leave_early_print_nothing(tmp_path: Path) -> None:
    with serving(tmp_path) as (proc, port):
        for _ in range(20):
            client = socket.create_connection(("127.0.0.1", port))
            client.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            client.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: localhost\r\n\r\n")
            client.close()  # a reset before the answer is read
        assert _get(port, "localhost") == 200
        proc.send_signal(signal.SIGINT)
        _, errors = proc.communicate(timeout=15)
    assert "Traceback" not in errors, errors
    assert "Error" not in errors, errors


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_serve_stopped_by_a_signal_removes_its_temporary_folder(
    tmp_path: Path, number: int
) -> None:
    with serving(tmp_path) as (proc, _):
        assert list((tmp_path / "temp").iterdir()), "serve made no temporary folder"
        proc.send_signal(number)
        _, errors = proc.communicate(timeout=15)
    assert "Traceback" not in errors, errors
    assert list((tmp_path / "temp").iterdir()) == []


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    (tmp_path / "temp").mkdir()
    result = run_aisite(
        "serve", "--source", str(site), "--port", port, env={"TMPDIR": str(tmp_path / "temp")}
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert list((tmp_path / "temp").iterdir()) == []
