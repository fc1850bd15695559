"""A process that asked to die with its parent is gone once the parent is SIGKILLed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from transforms.kernel.processes import PARENT_PID_ENV

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="PR_SET_PDEATHSIG is Linux's")

# The parent starts the child with its own pid in the environment, prints the child's
# pid and waits; the child asks to die with it and sleeps far longer than any test.
PARENT = f"""
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]],
                         env={{**os.environ, {PARENT_PID_ENV!r}: str(os.getpid())}})
print(child.pid, flush=True)
time.sleep(600)
"""
CHILD = """
import time
from transforms.kernel.processes import die_with_parent_from_env
assert die_with_parent_from_env()
time.sleep(600)
"""


def _gone(pid: int, within_s: float = 30.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_the_child_dies_when_its_parent_is_sigkilled():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], cwd=REPO,
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    child_pid = int(parent.stdout.readline())
    time.sleep(0.5)  # let the child reach its prctl call
    try:
        assert not _gone(child_pid, within_s=0.2)  # alive while its parent lives
        parent.kill()
        parent.wait()
        assert _gone(child_pid), "the child outlived its SIGKILLed parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child_pid, signal.SIGKILL)


def test_a_child_whose_parent_already_died_exits_at_once():
    # The parent named in the environment is not this child's parent: it died before
    # the request could be made, and the child must not run on as an orphan.
    child = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, timeout=60,
                           env={**os.environ, PARENT_PID_ENV: "1"})
    assert child.returncode == 128 + signal.SIGKILL
