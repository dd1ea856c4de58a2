"""`cogito serve [--host] [--port] [--db URL] [--region R] ...`: run the emulator under gunicorn."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from emulator.settings import Settings, from_env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cogito", description="A local emulator of Amazon Cognito.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the AWS APIs and the emulator's own API")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1; COGITO_HOST)")
    serve.add_argument("--port", type=int, help="port (default 9229; COGITO_PORT)")
    serve.add_argument("--db", dest="db_url", help="database URL: sqlite:///path.db (default .cogito/cogito.db), "
                       "sqlite:// for memory, postgresql://... (COGITO_DB)")
    serve.add_argument("--region", help="default region when a request names none (COGITO_REGION)")
    serve.add_argument("--account-id", help="AWS account id in ARNs (default 000000000000; COGITO_ACCOUNT_ID)")
    serve.add_argument("--workers", type=int, help="gunicorn worker processes (default 1; COGITO_WORKERS)")
    serve.add_argument("--threads", type=int, help="threads per worker (default 8; COGITO_THREADS)")
    serve.add_argument("--log-level", help="debug, info, warning or error (COGITO_LOG_LEVEL)")
    serve.add_argument("--issuer-base", help="pin the token issuer's base URL, e.g. http://cognito:9229 "
                       "(default: the URL the client used; COGITO_ISSUER_BASE)")
    serve.add_argument("--issuer-style", choices=("request", "aws"),
                       help="aws: issue https://cognito-idp.{region}.amazonaws.com/{poolId} (COGITO_ISSUER_STYLE)")
    serve.add_argument("--fixed-code", help="use this code for every confirmation/reset code, for scripted "
                       "demos (COGITO_FIXED_CODE)")
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    return from_env().with_overrides(
        host=args.host, port=args.port, db_url=args.db_url, region=args.region,
        account_id=args.account_id, workers=args.workers, threads=args.threads, log_level=args.log_level,
        issuer_base=args.issuer_base, issuer_style=args.issuer_style,
    ).with_fixed_code(args.fixed_code)


def serve(settings: Settings) -> int:
    """Serve with gunicorn (threaded workers); returns when the server stops."""
    from gunicorn.app.base import BaseApplication

    class CogitoServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.workers,
                "worker_class": "gthread",
                "threads": settings.threads,
                "timeout": 60,
                "graceful_timeout": 5,
                "keepalive": 5,
                "loglevel": settings.log_level,
                "accesslog": None,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from emulator.app import create_app

            return create_app(settings)

    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    CogitoServer().run()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in (None, "serve"):
        if args.command is None:
            args = _parser().parse_args(["serve", *(argv or sys.argv[1:])])
        return serve(settings_from_args(args))
    return 2
