"""`cogito serve [--host] [--port] [--db URL] [--region R] ...`: run the emulator under gunicorn.

Start-up is kept light: this module imports only argparse and the settings; gunicorn is
imported to serve, and Flask, SQLAlchemy and the handlers load in the worker (handler
modules and service models on the first request that needs them).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from emulator.settings import Settings, from_env

_DB_SCHEMES = ("sqlite:", "postgres://", "postgresql://", "postgresql+psycopg://")


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
    serve.add_argument("--threads", type=int, help="requests served at once per worker (default 8; COGITO_THREADS)")
    serve.add_argument("--log-level", help="debug, info, warning or error (COGITO_LOG_LEVEL)")
    serve.add_argument("--issuer-base", help="pin the token issuer's base URL, e.g. http://cognito:9229 "
                       "(default: the URL the client used; COGITO_ISSUER_BASE)")
    serve.add_argument("--issuer-style", choices=("request", "aws"),
                       help="aws: issue https://cognito-idp.{region}.amazonaws.com/{poolId} (COGITO_ISSUER_STYLE)")
    serve.add_argument("--clock-control", action="store_true", default=None,
                       help="let POST /_cogito/clock freeze and move time, for tests (COGITO_CLOCK_CONTROL=1)")
    serve.add_argument("--fixed-code", help="use this code for every confirmation/reset code, for scripted "
                       "demos (COGITO_FIXED_CODE)")
    serve.add_argument("--seed", help="apply this seed file (YAML or JSON: pools, clients, users...) at start-up; "
                       "see docs/seed.md (COGITO_SEED)")
    serve.add_argument("--lambda-endpoint", help="Lambda Invoke API endpoint that runs the pools' trigger "
                       "functions, e.g. http://127.0.0.1:3001 for `sam local start-lambda` (COGITO_LAMBDA_ENDPOINT)")
    serve.add_argument("--lambda-url", action="append", default=None, metavar="ARN=URL",
                       help="run the trigger function ARN (or name) by POSTing its event to URL; repeatable "
                       "(COGITO_LAMBDA_URLS, a JSON object)")
    from emulator.state.commands import add_import_parser

    add_import_parser(sub)
    from emulator.authorizer.command import add_authorizer_parser

    add_authorizer_parser(sub)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    return from_env().with_overrides(
        host=args.host, port=args.port, db_url=args.db_url, region=args.region,
        account_id=args.account_id, workers=args.workers, threads=args.threads, log_level=args.log_level,
        issuer_base=args.issuer_base, issuer_style=args.issuer_style, clock_control=args.clock_control,
        seed=args.seed,
    ).with_fixed_code(args.fixed_code).with_overrides(
        lambda_endpoint=args.lambda_endpoint, lambda_urls=_lambda_urls(args),
    )


def _lambda_urls(args: argparse.Namespace) -> dict[str, str] | None:
    """COGITO_LAMBDA_URLS with each ``--lambda-url ARN=URL`` added; None when no flag is given."""
    given = getattr(args, "lambda_url", None)
    if not given:
        return None
    urls = dict(from_env().lambda_urls)
    for item in given:
        arn, sep, url = item.partition("=")
        if not sep or not arn or not url:
            raise ValueError(f"--lambda-url {item!r}: use ARN=URL")
        urls[arn] = url
    return urls


def check_settings(settings: Settings) -> str | None:
    """What is wrong with ``settings`` for serving, said before any worker starts (None when fine)."""
    if not settings.db_url.startswith(_DB_SCHEMES):
        return f"unsupported database URL {settings.db_url!r}: use sqlite:///path.db, sqlite:// or postgresql://..."
    memory = settings.db_url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in settings.db_url
    if memory and settings.workers > 1:
        return "an in-memory database lives in one process: use --workers 1, a SQLite file or PostgreSQL"
    if not 0 < settings.port < 65536:
        return f"invalid port {settings.port}"
    if settings.workers < 1 or settings.threads < 1:
        return "--workers and --threads must be at least 1"
    if settings.log_level.lower() not in ("debug", "info", "warning", "error", "critical"):
        return f"unknown log level {settings.log_level!r}"
    for url in [settings.lambda_endpoint or "http://", *settings.lambda_urls.values()]:
        if not url.startswith(("http://", "https://")):
            return f"Lambda URL {url!r} must start with http:// or https://"
    return None


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """gunicorn's settings for ``settings``: threaded workers, quick graceful stop."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        # A thread per kept-alive connection (emulator/worker.py): half gthread's CPU per request.
        "worker_class": "emulator.worker.ConnectionThreadWorker",
        "threads": settings.threads,
        "timeout": 60,
        "graceful_timeout": 5,
        "keepalive": 5,
        "loglevel": settings.log_level.lower(),
        "accesslog": None,
        "proc_name": "cogito",
        "limit_request_line": 8190,  # gunicorn's maximum: long Hosted UI query strings fit
        # gunicorn >= 25 opens a control socket in $HOME by default: two emulators would
        # fight over it and it costs an asyncio import; Cogito has no use for it.
        "control_socket_disable": True,
    }


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's answer to bytes it cannot parse as HTTP: JSON like every other error, not its HTML page."""
    from gunicorn import util

    body = json.dumps({"__type": reason.replace(" ", ""), "message": str(mesg)}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Access-Control-Allow-Origin: *\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1", "replace") + body)


def serve(settings: Settings) -> int:
    """Serve with gunicorn (threaded workers); returns when the server stops (SIGTERM/SIGINT)."""
    problem = check_settings(settings)
    if problem:
        print(f"cogito: {problem}", file=sys.stderr)
        return 2
    if settings.seed:
        from emulator.state.commands import prepare_seed

        problem = prepare_seed(settings)
        if problem:
            print(f"cogito: {problem}", file=sys.stderr)
            return 2
    from gunicorn import util
    from gunicorn.app.base import BaseApplication

    util.write_error = write_json_error  # the workers look it up on the module at each use

    class CogitoServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                if key in self.cfg.settings:  # older gunicorns lack some settings
                    self.cfg.set(key, value)

        def load(self) -> Any:
            from emulator.app import create_app

            app = create_app(settings)
            if settings.seed:
                from emulator.state.commands import seed_worker

                seed_worker(app, settings)
            logging.getLogger("cogito").info(
                "Cogito ready on http://%s:%s (db %s)", settings.host, settings.port, settings.db_url
            )
            return app

    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    CogitoServer().run()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["serve", *argv]  # `cogito --port 9000` means `cogito serve --port 9000`
    args = _parser().parse_args(argv)
    if args.command == "serve":
        try:
            settings = settings_from_args(args)
        except ValueError as exc:  # e.g. COGITO_PORT=abc
            print(f"cogito: bad setting in the environment: {exc}", file=sys.stderr)
            return 2
        return serve(settings)
    if args.command == "authorizer":
        from emulator.authorizer.command import run_authorizer

        return run_authorizer(args)
    if args.command == "import-cognito-local":
        from emulator.state.commands import run_import

        return run_import(args)
    _parser().print_help()
    return 2
