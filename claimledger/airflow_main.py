"""`python -m claimledger.airflow_main ARGS`: Airflow's own CLI, leaving without the teardown.

An `airflow dags test` process ends holding about a million Python objects (Airflow, dbt,
Great Expectations, some 5,200 modules). After the DAG run has finished, the interpreter's
teardown garbage-collects them while it unloads the modules: 7-8 s measured on the 2-core
bench machine (py-spy: the main thread in gc_collect_main), on every run, for nothing the run
needs. `claimledger.cli.run_dag` (make run, bench, the DAG tests) starts Airflow through this
module instead of the `airflow` script: the same CLI (`airflow.__main__.main`) with the same
arguments; then the exit handlers run as usual (log handlers flushed and closed, the stage
pool and multiprocessing's helpers stopped) and the process ends with os._exit and
Airflow's exit status, skipping only the teardown's collection. Anything that escapes the
CLI but SystemExit leaves the ordinary way, so its traceback is printed as always.
"""

from __future__ import annotations

import atexit
import os
import sys

from transforms.kernel.processes import die_with_parent_from_env


def exit_status(code: object) -> int:
    """The process status for SystemExit(code), as the interpreter would compute it: None is
    0, an int is itself, anything else is printed to stderr and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> None:
    from airflow.__main__ import main as airflow_main

    die_with_parent_from_env()  # a killed `claimledger run` takes its DAG process along
    sys.argv[0] = "airflow"  # argparse's program name in usage and error messages
    try:
        airflow_main()
        status = 0
    except SystemExit as stop:
        status = exit_status(stop.code)
    atexit._run_exitfuncs()  # what the interpreter runs first when it exits
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
