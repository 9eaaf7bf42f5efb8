#!/usr/bin/env python3
"""Mystery Shopper command line: parse arguments, load config, call the engine, print, exit code.

Exit status: 0 no findings, 1 findings, 2 usage, configuration or validation error.
The parser and the commands live in cli/ (one module per command group); this file dispatches and turns what
goes wrong into an exit status.
"""
from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from cli.command import EXIT_OK, EXIT_USAGE  # noqa: E402
from shopper.errors import ConfigError, ShopperError  # noqa: E402

_EXTRAS = {"flask": "demo", "werkzeug": "demo", "aiosmtpd": "demo", "psycopg": "postgres",
           "procrastinate": "postgres", "pytest": "plugin"}   # what pyproject's extras bring
_DISK_ERRORS = (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT)   # the machine's to fix, not a bug


def main(argv: list[str] | None = None) -> int:
    from shopper.terminal import install

    install(sys)   # a terminal that only prints: untrusted text's control and bidi characters made visible
    try:
        code = _dispatch(argv)
        sys.stdout.flush()   # a reader that already left shows here, inside the handler, not at interpreter exit
        return code
    except BrokenPipeError:
        # the reader went away (`runner.py status | head`, also during --help or --version): stop quietly, as
        # other command-line tools do. Caught outside _dispatch: BrokenPipeError is an OSError, which it re-raises.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _dispatch(argv: list[str] | None) -> int:
    from cli import command_function
    from cli.parser import build_parser

    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    level = logging.DEBUG if args.verbose > 1 else logging.INFO if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return command_function(args.command)(args)
    except ConfigError as e:
        for p in e.problems:
            print(str(p), file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ShopperError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:
        raise
    except ModuleNotFoundError as e:   # an optional part (pyproject's extras) this command needs is not installed
        extra = _EXTRAS.get((e.name or "").split(".")[0])
        if extra is None or args.debug:
            raise
        print(f"error: {args.command} needs {e.name}, which is not installed: pip install "
              f"'mystery-shopper[{extra}]' (or make setup)", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        if args.debug or e.errno not in _DISK_ERRORS:
            raise
        print(f"error: cannot write {e.filename or 'a file'}: {e.strerror}: free space or fix the permissions "
              f"there (the store, reports and evidence go to --var-dir / var_dir)", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
