"""``GET /oauth2/authorize``, and how every successful sign-in on the pages ends.

Without a signed-in ``cognito`` cookie for the pool the browser goes to ``/login`` with
the same query; with one it goes straight back to the redirect URI (single sign-on):
``?code=…&state=…`` for ``response_type=code``, or
``#access_token=…&id_token=…&token_type=Bearer&expires_in=…&state=…`` for ``token``.
"""

from __future__ import annotations

from flask import Request, Response

from emulator.context import Context
from emulator.hostedui import codes, cookies, issue, web
from emulator.hostedui.authrequest import AuthError, AuthRequest, parse
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool


def load(ctx: Context, req: AuthRequest) -> tuple[UserPool, AppClient]:
    """The pool and client of a checked request (still there: checked moments ago)."""
    pool = ctx.db.get(UserPool, req.pool_id)
    client = ctx.db.get(AppClient, req.client_id)
    if pool is None or client is None:
        raise AuthError("invalid_request", client_id=req.client_id)
    return pool, client


def redirect_location(ctx: Context, req: AuthRequest, user: User, auth_time: int) -> str:
    """Where the browser goes once ``user`` is signed in: a code, or the tokens themselves."""
    if not req.implicit:
        code = codes.issue(ctx, req, user, auth_time)
        return web.with_params(req.redirect_uri, {"code": code, "state": req.state})
    pool, client = load(ctx, req)
    result = issue.user_tokens(ctx, pool, client, user, scopes=req.scopes, auth_time=auth_time, nonce=req.nonce,
                               with_refresh=False)
    return web.with_params(req.redirect_uri, {
        "access_token": result["AccessToken"], "id_token": result.get("IdToken"), "token_type": "Bearer",
        "expires_in": str(result["ExpiresIn"]), "state": req.state,
    }, fragment=True)


def signed_in(ctx: Context, req: AuthRequest, request: Request, user: User) -> Response:
    """A fresh sign-in on the pages: remember it in the cookie, then go back to the app.

    The pool's PostAuthentication trigger runs first and may refuse it (emulator.triggers)."""
    from emulator.triggers import auth as auth_triggers

    pool, client = load(ctx, req)
    auth_triggers.post_authentication(ctx, pool, client, user)
    value = cookies.sign_in(ctx, req.pool_id, user, request.cookies.get(cookies.SESSION_COOKIE))
    user.failed_attempts = 0
    resp = web.redirect(redirect_location(ctx, req, user, int(ctx.now)))
    cookies.set_session(resp, request, value)
    return resp


def parse_request(request: Request) -> AuthRequest:
    """The authorize request this page was called with (AuthError if it is not a good one)."""
    query = web.query_string()
    return web.run(lambda ctx: parse(ctx.db, request.args, query), operation="HostedUI", write=False)


def single_sign_on(request: Request, req: AuthRequest) -> Response | None:
    """The redirect for a browser already signed in to the pool, else None."""
    cookie = request.cookies.get(cookies.SESSION_COOKIE)
    if not cookie:
        return None

    def attempt(ctx: Context) -> Response | None:
        found = cookies.signed_in(ctx, req.pool_id, cookie)
        if found is None:
            return None
        user, auth_time = found
        return web.redirect(redirect_location(ctx, req, user, auth_time))

    return web.run(attempt, operation="OAuth2Authorize", pool_id=req.pool_id)


def authorize(request: Request) -> Response:
    try:
        req = parse_request(request)
        found = single_sign_on(request, req)
    except AuthError as err:
        return web.redirect(err.location())
    if found is not None:
        return found
    return web.redirect("/login?" + req.query if req.query else "/login")
