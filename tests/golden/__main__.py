"""`python -m tests.golden --update` writes the golden record of the fixture specs again;
without `--update` it checks that the record is current (exit 1 with a diff if not)."""

from __future__ import annotations

import subprocess
import sys

from tests.golden.record import ROOT, arguments
from tests.running import COMMAND


def main(argv: list[str]) -> int:
    if argv not in ([], ["--update"]):
        print("usage: python -m tests.golden [--update]", file=sys.stderr)
        return 2
    command = [*COMMAND, *arguments(check=argv != ["--update"])]
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
