"""Run one command and report its own wall time, CPU time and peak memory.

``python -S -E bench/launch.py REPORT COMMAND...`` forks and execs COMMAND
(standard streams inherited), waits for it and writes
``seconds cpu_seconds peak_kib exit_code`` to the file REPORT.

Why a process of its own: on Linux a child's ``ru_maxrss`` counts the
resident memory of the process that forked it (exec records the high-water
mark of the forked copy), so a bench that has just generated hundreds of
megabytes of input would report that as the peak of every command it runs.
This launcher holds a few MiB when it forks: a command's figure is its own
whenever its peak is above that floor, which ``bench_commands.py`` measures
(a command that does nothing) and prints.
"""

import os
import sys
import time


def main() -> None:
    report, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    with open(report, "w") as out:
        out.write(f"{elapsed} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} "
                  f"{os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    main()
