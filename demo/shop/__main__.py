"""`python -m demo.shop`: serve the demo shop in the foreground for a person with a browser."""
from __future__ import annotations

import argparse
import sys

from demo.shop.defects import DEFECTS
from demo.shop.profiles import PROFILES
from demo.shop.server import start_shop
from demo.shop.world import DEFAULT_PASSWORD


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defect_lines = "\n".join(f"  {name:<26} {text}" for name, text in DEFECTS.items())
    parser = argparse.ArgumentParser(
        prog="python -m demo.shop",
        description="Serve the Kettle & Co demo shop. By default every defect is on (the broken world).",
        epilog=f"defects:\n{defect_lines}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--healthy", action="store_true", help="no defects at all (the healthy twin)")
    group.add_argument("--defect", action="append", metavar="NAME", choices=sorted(DEFECTS),
                       help="switch on only this defect (repeatable)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="a", help="markup profile (default: a)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--delay-ms", type=int, default=0, help="delay every response by this many milliseconds")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the password that /login accepts")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    defects = () if args.healthy else args.defect  # None: all defects
    try:
        shop = start_shop(defects, profile=args.profile, host=args.host, port=args.port,
                          delay_ms=args.delay_ms, password=args.password, log_requests=True)
    except OSError as error:
        print(f"demo shop: cannot listen on {args.host}:{args.port}: {error.strerror}; "
              f"try another --port", file=sys.stderr)
        return 1
    on = ", ".join(sorted(shop.world.defects)) or "none (healthy)"
    print(f"Kettle & Co (profile {args.profile}) at {shop.url}\ndefects: {on}\nCtrl-C to stop.", flush=True)
    try:
        shop.wait()
    except KeyboardInterrupt:
        print("stopping", file=sys.stderr)
    finally:
        shop.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
