"""``python3 -m apmsim report RESULTS.json -o report.html``: the HTML report of a results file
(apmsim.report). Exit codes as the apmsim program's: 0 written (its path printed), 2 bad
input or usage (a missing file, a file that is not a results file, an output that cannot
be written; one line ``apmsim report: ...`` on stderr, no traceback), 1 an internal error,
130 interrupted.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Optional, Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="apmsim", description="apmsim's Python commands (the simulation itself is the apmsim program).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    report = commands.add_parser("report", help="write the HTML report of a results file",
                                 description="Writes one self-contained HTML report (pictures embedded, no external "
                                             "links) of a results file written by apmsim run --out or Results.save, or of a "
                                             "calibration or monitoring report (apmsim calibrate --report, apmsim monitor --out).")
    report.add_argument("results", help="the results file, or a calibration or monitoring report (JSON)")
    report.add_argument("-o", "--output", help="the HTML file to write (default: the results file with .html)")
    report.add_argument("--title", help='the report\'s title (default: "Payment models report: SCENARIO")')
    return parser


def _message(error: BaseException) -> str:
    """One line naming the file and the problem."""
    if isinstance(error, FileNotFoundError) and error.filename:
        return f"{error.filename}: no such file"
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return str(error)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line; returns the exit code. Example: ``main(["report", "r.json", "-o", "r.html"])``."""
    args = _parser().parse_args(argv)  # usage errors: exit 2 with argparse's message
    output = args.output or str(pathlib.Path(args.results).with_suffix(".html"))
    try:
        import matplotlib

        matplotlib.use("Agg")  # a command line has no display; the report draws on Agg canvases anyway
        from ._report import report

        written = report(args.results, output, title=args.title)
    except ImportError as e:
        print(f"apmsim report: {e} (install python3-matplotlib and python3-pandas)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("apmsim report: interrupted, nothing written", file=sys.stderr)
        return 130
    except (OSError, ValueError) as e:
        print(f"apmsim report: {_message(e)}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - an internal error: one line, exit 1
        print(f"apmsim report: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
