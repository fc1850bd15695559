"""claimledger.airflow_main: Airflow's CLI with its exit status and exit handlers intact,
leaving by os._exit instead of the interpreter's teardown."""

from __future__ import annotations

import subprocess
import sys

import pytest

from claimledger.airflow_main import exit_status


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (2, 2), (7, 7), ("boom", 1)])
def test_exit_status_is_the_interpreters(code, status, capsys):
    assert exit_status(code) == status
    assert ("boom" in capsys.readouterr().err) == (code == "boom")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_runs_airflows_cli_and_keeps_its_status():
    import airflow

    version = _run("-m", "claimledger.airflow_main", "version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == airflow.__version__
    wrong = _run("-m", "claimledger.airflow_main", "dags", "tset")
    assert wrong.returncode == 2
    assert "invalid choice: 'tset'" in wrong.stderr
    assert "usage: airflow dags" in wrong.stdout.lower()  # argparse names the real program


def test_exit_handlers_run_and_buffered_output_is_flushed_before_leaving():
    # A stand-in for Airflow's main that registers an exit handler, writes without a
    # newline (still buffered) and stops with a status: all three must survive os._exit.
    script = (
        "import atexit, sys\n"
        "import airflow.__main__ as cli\n"
        "def fake_main():\n"
        "    atexit.register(lambda: print('handler ran', flush=True))\n"
        "    sys.stdout.write('buffered')\n"
        "    sys.exit(3)\n"
        "cli.main = fake_main\n"
        "from claimledger.airflow_main import main\n"
        "main()\n"
    )
    finished = _run("-c", script)
    assert finished.returncode == 3
    assert finished.stdout == "bufferedhandler ran\n"
