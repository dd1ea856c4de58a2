"""`cogito authorizer --upstream URL --user-pool-id ID [...]`: the authorizer proxy from the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from emulator.authorizer.defaults import (
    DEFAULT_API_ID,
    DEFAULT_ENDPOINT,
    DEFAULT_PORT,
    DEFAULT_STAGE,
    DEFAULT_TTL,
    MODES,
)

if TYPE_CHECKING:
    from emulator.authorizer.config import AuthorizerConfig


def add_authorizer_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("authorizer", help="a reverse proxy that authorizes requests as API Gateway does",
                         description="Put API Gateway's Cognito, JWT or Lambda authorizer in front of a local "
                                     "API (docs/authorizers.md).")
    cmd.add_argument("--upstream", required=True, help="the API to forward authorized requests to, e.g. "
                     "http://127.0.0.1:3000")
    cmd.add_argument("--mode", choices=MODES, default="rest", help="rest: a REST API's COGNITO_USER_POOLS "
                     "authorizer (default); jwt: an HTTP API's JWT authorizer; lambda-token / lambda-request: "
                     "a Lambda authorizer")
    cmd.add_argument("--user-pool-id", help="the pool whose tokens are accepted (rest, jwt)")
    cmd.add_argument("--cognito-endpoint", default=DEFAULT_ENDPOINT,
                     help=f"where the pool's JWKS is served (default {DEFAULT_ENDPOINT})")
    cmd.add_argument("--jwks-url", help="verify against this JWKS instead of the pool's on --cognito-endpoint")
    cmd.add_argument("--scope", action="append", default=[], metavar="S",
                     help="an OAuth scope of the method/route; repeatable (a token needs one of them)")
    cmd.add_argument("--identity-source", action="append", default=None, metavar="HEADER",
                     help="the header carrying the token (default Authorization); for lambda-request, "
                     "repeatable and may be method.request.querystring.NAME")
    cmd.add_argument("--issuer", action="append", default=[], help="jwt: the accepted issuer (default: any "
                     "issuer naming --user-pool-id)")
    cmd.add_argument("--audience", action="append", default=[], help="jwt: an accepted app client id; repeatable")
    cmd.add_argument("--function", help="lambda-*: the authorizer function's ARN (or name)")
    cmd.add_argument("--ttl", type=int, default=DEFAULT_TTL, help=f"lambda-*: seconds a result is cached "
                     f"(default {DEFAULT_TTL}, 0 disables)")
    cmd.add_argument("--lambda-endpoint", help="Lambda Invoke API endpoint that runs --function "
                     "(COGITO_LAMBDA_ENDPOINT), as for triggers")
    cmd.add_argument("--lambda-url", action="append", default=[], metavar="ARN=URL",
                     help="run the function ARN by POSTing its event to URL; repeatable (COGITO_LAMBDA_URLS)")
    cmd.add_argument("--region", help="region in method ARNs (default: the pool's, else us-east-1)")
    cmd.add_argument("--account-id", help="account in method ARNs (default 000000000000; COGITO_ACCOUNT_ID)")
    cmd.add_argument("--api-id", default=DEFAULT_API_ID, help=f"API id in method ARNs (default {DEFAULT_API_ID})")
    cmd.add_argument("--stage", default=DEFAULT_STAGE, help=f"stage in method ARNs (default {DEFAULT_STAGE})")
    cmd.add_argument("--authorize-options", action="store_true",
                     help="authorize OPTIONS too (default: CORS preflights pass unauthorized)")
    cmd.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    cmd.add_argument("--log-level", default="info", help="debug, info, warning or error (default info)")


def config_from_args(args: argparse.Namespace) -> AuthorizerConfig:
    """The config the flags describe; environment settings fill the Lambda endpoint and account."""
    from emulator.authorizer.config import AuthorizerConfig
    from emulator.settings import from_env

    env = from_env()
    urls = dict(env.lambda_urls)
    for item in args.lambda_url:
        arn, sep, url = item.partition("=")
        if not sep or not arn or not url:
            raise ValueError(f"--lambda-url {item!r}: use ARN=URL")
        urls[arn] = url
    return AuthorizerConfig(
        mode=args.mode, user_pool_id=args.user_pool_id, cognito_endpoint=args.cognito_endpoint,
        jwks_url=args.jwks_url, scopes=tuple(args.scope), identity_sources=tuple(args.identity_source or
                                                                                  ["Authorization"]),
        issuers=tuple(args.issuer), audiences=tuple(args.audience), function=args.function, ttl=args.ttl,
        region=args.region, account_id=args.account_id or env.account_id, api_id=args.api_id, stage=args.stage,
        lambda_endpoint=args.lambda_endpoint or env.lambda_endpoint, lambda_urls=urls,
        open_options=not args.authorize_options,
    )


def run_authorizer(args: argparse.Namespace) -> int:
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"cogito authorizer: {exc}", file=sys.stderr)
        return 2
    problems = config.problems()
    if not args.upstream.startswith(("http://", "https://")):
        problems.append(f"--upstream {args.upstream!r} must start with http:// or https://")
    if not 0 < args.port < 65536:
        problems.append(f"invalid port {args.port}")
    if problems:
        for problem in problems:
            print(f"cogito authorizer: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=str(args.log_level).upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from emulator.authorizer.proxy import serve

    try:
        return serve(config, args.upstream, host=args.host, port=args.port)
    except OSError as exc:  # port in use, address not available
        print(f"cogito authorizer: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
