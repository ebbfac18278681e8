"""Running aisite as a user that file permissions apply to (root reads a file of mode 000 anyway).

As root, aisite runs as `nobody` under the system's Python with this checkout's code and the
virtualenv's packages on PYTHONPATH (the virtualenv's interpreter may live where `nobody` cannot
reach); as anyone else, it runs as is. Sites go into a folder both users can work in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
NOBODY = 65534


def run_unprivileged(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The aisite command line, without root's power to ignore permissions."""
    if os.geteuid() != 0:
        command, extra, env = [sys.executable], {}, dict(os.environ)
    else:
        system = shutil.which("python3", path="/usr/bin") or sys.executable
        packages = sysconfig.get_paths()["purelib"]
        path = os.pathsep.join([str(REPO / "src"), packages])
        command = [system]
        extra: dict[str, Any] = {"user": NOBODY, "group": NOBODY, "extra_groups": []}
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": path, "LANG": "C.UTF-8"}
        # The run's own cache folder (conftest), which `nobody` cannot write in: its templates
        # compile in memory, and nothing is left in /tmp/.cache.
        env["XDG_CACHE_HOME"] = os.environ.get("XDG_CACHE_HOME", "/nonexistent")
    return subprocess.run(
        [*command, "-m", "aisite", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",
        env=env,
        **extra,
    )


def share(folder: Path) -> None:
    """Let the unprivileged user read and write everything below a folder."""
    subprocess.run(["chmod", "-R", "a+rwX", str(folder)], check=True)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A fresh folder another user can work in."""
    folder = Path(tempfile.mkdtemp(prefix="aisite-perm-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)
