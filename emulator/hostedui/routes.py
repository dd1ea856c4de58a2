"""The Hosted UI blueprint: pages and OAuth 2.0 endpoints under Cogito's base URL.

The OIDC discovery document (``emulator.jwks.routes``) lists these same paths.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from emulator.context import Context
from emulator.hostedui import authorize, cookies, endpoints, login, pages, selfservice, token_endpoint, web
from emulator.hostedui.authrequest import AuthError, parse
from emulator.hostedui.oauth_errors import OAuthError
from emulator.userpool.models import AppClient

hosted_ui = Blueprint("cogito_hosted_ui", __name__)
# What neither SQLite's UTF-8 nor PostgreSQL's text can hold: refused before any lookup.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@hosted_ui.before_request
def refuse_unstorable() -> Response | None:
    """A NUL (or lone surrogate) in a parameter is a bad request, never a database error."""
    values = [v for _k, vs in request.args.lists() for v in vs]
    if request.method == "POST":
        values += [v for _k, vs in request.form.lists() for v in vs]
    values.append(request.headers.get("Authorization", ""))
    if not any(_UNSTORABLE.search(v) for v in values):
        return None
    if request.path in ("/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo"):  # called by apps, not browsers
        return OAuthError("invalid_request", "a parameter holds a NUL character").response()
    return pages.error_page("invalid_request")


@hosted_ui.get("/oauth2/authorize")
def oauth2_authorize() -> Response:
    return authorize.authorize(request)


@hosted_ui.post("/oauth2/token")
def oauth2_token() -> Response:
    return token_endpoint.token(request)


@hosted_ui.route("/oauth2/userInfo", methods=["GET", "POST"])
def oauth2_userinfo() -> Response:
    return endpoints.userinfo(request)


@hosted_ui.post("/oauth2/revoke")
def oauth2_revoke() -> Response:
    return endpoints.revoke(request)


@hosted_ui.get("/login")
def login_form() -> Response:
    return login.show(request)


@hosted_ui.post("/login")
def login_submit() -> Response:
    return login.submit(request)


@hosted_ui.post("/forceChangePassword")
def new_password_submit() -> Response:
    return login.submit_new_password(request)


@hosted_ui.post("/mfa")
def mfa_submit() -> Response:
    from emulator.hostedui import mfa_step

    return mfa_step.submit_code(request)


@hosted_ui.post("/mfa/setup")
def mfa_setup_submit() -> Response:
    from emulator.hostedui import mfa_step

    return mfa_step.submit_setup(request)


@hosted_ui.get("/signup")
def signup_form() -> Response:
    return selfservice.show_signup(request)


@hosted_ui.post("/signup")
def signup_submit() -> Response:
    return selfservice.submit_signup(request)


@hosted_ui.get("/confirm")
def confirm_form() -> Response:
    return selfservice.show_confirm(request)


@hosted_ui.post("/confirm")
def confirm_submit() -> Response:
    return selfservice.submit_confirm(request)


@hosted_ui.post("/resendcode")
def resend_submit() -> Response:
    return selfservice.submit_resend(request)


@hosted_ui.get("/confirmUser")
def confirm_user() -> Response:
    return selfservice.confirm_user_link(request)


@hosted_ui.get("/forgotPassword")
def forgot_form() -> Response:
    return selfservice.show_forgot(request)


@hosted_ui.post("/forgotPassword")
def forgot_submit() -> Response:
    return selfservice.submit_forgot(request)


@hosted_ui.post("/confirmForgotPassword")
def reset_submit() -> Response:
    return selfservice.submit_reset(request)


@hosted_ui.get("/error")
def error_page() -> Response:
    return pages.error_page(request.args.get("error") or "invalid_request")


@hosted_ui.get("/logout")
def logout() -> Response:
    """Sign out of the pool, then to an allowed ``logout_uri``, or back to ``/login`` with a
    ``redirect_uri`` + ``response_type`` request (AWS's two forms)."""
    cookie = request.cookies.get(cookies.SESSION_COOKIE)
    logout_uri = request.args.get("logout_uri")

    def sign_out(ctx: Context) -> tuple[str, bool]:
        client_id = request.args.get("client_id") or ""
        client = ctx.db.get(AppClient, client_id) if client_id else None
        if client is None:
            raise AuthError("invalid_request", client_id=client_id or None)
        if logout_uri:
            if logout_uri not in (client.config.get("LogoutURLs") or ()):
                raise AuthError("redirect_mismatch", client_id=client_id)
            target = logout_uri
        elif request.args.get("redirect_uri"):
            req = parse(ctx.db, request.args, web.query_string())
            target = "/login?" + req.query
        else:
            raise AuthError("invalid_request", client_id=client_id)
        return target, cookies.sign_out(ctx, client.pool_id, cookie)

    try:
        target, others = web.run(sign_out, operation="HostedUILogout")
    except AuthError as err:
        return web.redirect(err.location())
    resp = web.redirect(target)
    if not others:
        cookies.clear_session(resp, request)
    return resp
