"""``python3 -m jobq worker MODULE:APP [options]``: see worker_command.py. ``python3 -m jobq --help``
prints the usage and exits 0; anything else but ``worker`` prints it to stderr and exits 2."""

import sys

from .worker_command import main

USAGE = "usage: python3 -m jobq worker MODULE:APP [--concurrency N] [--queues a,b] ... (--help for all)"

if __name__ == "__main__":
    if sys.argv[1:2] in (["-h"], ["--help"]):
        print(USAGE)
        sys.exit(0)
    if len(sys.argv) < 2 or sys.argv[1] != "worker":
        print(USAGE, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[2:], prog="python3 -m jobq worker"))
