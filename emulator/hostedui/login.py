"""``/login`` and the steps a right password can still lead to (a new password; MFA later).

The password is checked as the API's sign-in checks it (``auth.gate``): the same order,
the same messages (an unknown user is "User does not exist." unless the client hides
existence), failed attempts counted. Every failure re-shows the page with the message.

Steps after the password are a list, ``AFTER_PASSWORD``: each looks at the user and
either lets the sign-in finish (None) or answers with its own page. A
FORCE_CHANGE_PASSWORD user gets the new-password page; the MFA work adds its code
steps (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, MFA_SETUP) to this list, each with its
page and a POST route that ends in ``authorize.signed_in``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Request, Response

from emulator.context import Context
from emulator.errors import (
    CognitoError,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)
from emulator.hostedui import authorize, cookies, pages, web
from emulator.hostedui.authrequest import AuthError, AuthRequest
from emulator.userpool import attributes, directory
from emulator.userpool.auth import gate, outcome, sessions
from emulator.userpool.auth import new_password as challenge_answer
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

Step = Callable[[Context, AuthRequest, UserPool, AppClient, User], "Response | None"]
CSRF_EXPIRED = "Your sign-in page has expired. Please try again."
MISMATCH = "Passwords do not match."


def login_page(req: AuthRequest, *, error: str | None = None, notice: str | None = None, username: str = "",
               status: int = 200) -> Response:
    return pages.render("login.html", title="Sign in", status=status, error=error, notice=notice,
                        username=username, action="/login?" + req.query, query=req.query,
                        self_signup=req.self_signup)


def new_password_page(req: AuthRequest, *, session: str, username: str, required: list[str],
                      error: str | None = None, status: int = 200) -> Response:
    return pages.render("new_password.html", title="Change password", status=status, error=error,
                        session=session, username=username, required=required, query=req.query)


def _missing_required(pool: UserPool, user: User) -> list[str]:
    attrs = user.attributes or {}
    return [name for name in attributes.required_names(pool) if not attrs.get(name)]


def new_password_step(ctx: Context, req: AuthRequest, pool: UserPool, client: AppClient, user: User) -> Response | None:
    """FORCE_CHANGE_PASSWORD: the temporary password was right; a new one must be chosen."""
    if user.status != "FORCE_CHANGE_PASSWORD":
        return None
    session = sessions.start(ctx, client, user, outcome.NEW_PASSWORD_REQUIRED)
    return new_password_page(req, session=session, username=user.username, required=_missing_required(pool, user))


AFTER_PASSWORD: list[Step] = [new_password_step]


def _mfa_step(ctx: Context, req: AuthRequest, pool: UserPool, client: AppClient, user: User) -> Response | None:
    from emulator.hostedui import mfa_step

    return mfa_step.step(ctx, req, pool, client, user)


AFTER_PASSWORD.append(_mfa_step)


def show(request: Request) -> Response:
    """GET /login: the form (or straight back to the app when already signed in)."""
    try:
        req = authorize.parse_request(request)
        found = authorize.single_sign_on(request, req)
    except AuthError as err:
        return web.redirect(err.location())
    return found if found is not None else login_page(req)


def _check_password(ctx: Context, req: AuthRequest, request: Request, username: str, password: str) -> Response:
    from emulator.triggers import auth as auth_triggers

    pool, client = authorize.load(ctx, req)
    user = gate.find_user(ctx, pool, username)
    if user is None:  # a UserMigration trigger may bring the user in
        user = auth_triggers.user_migration(ctx, pool, client, username, password, auth_triggers.MIGRATE_AUTHENTICATION)
    if user is None:
        raise gate.unknown_user_error(client)
    auth_triggers.pre_authentication(ctx, pool, client, user, username)
    gate.check_status_before_password(client, user)
    if not directory.password_matches(user, pool, password):
        raise gate.wrong_password(user)
    gate.check_status_after_password(ctx, pool, user)
    user.failed_attempts = 0
    for step in AFTER_PASSWORD:
        page = step(ctx, req, pool, client, user)
        if page is not None:
            return page
    return authorize.signed_in(ctx, req, request, user)


def submit(request: Request) -> Response:
    """POST /login: sign in with username and password."""
    try:
        req = authorize.parse_request(request)
    except AuthError as err:
        return web.redirect(err.location())
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    if not cookies.csrf_ok(request):
        return login_page(req, error=CSRF_EXPIRED, username=username, status=400)
    if not username or not password:
        return login_page(req, error="Username and password are required.", username=username, status=400)
    try:
        return web.run(lambda ctx: _check_password(ctx, req, request, username, password),
                       operation="HostedUILogin", pool_id=req.pool_id)
    except UserNotConfirmedException as err:
        from emulator.hostedui import selfservice

        return selfservice.confirm_page(req, username=username, error=err.message)
    except PasswordResetRequiredException as err:
        from emulator.hostedui import selfservice

        return selfservice.forgot_page(req, username=username, error=err.message)
    except CognitoError as err:
        return login_page(req, error=err.message, username=username, status=400)


def _set_new_password(ctx: Context, req: AuthRequest, request: Request, session: str, new_password: str,
                      given: dict[str, str]) -> Response:
    """The NEW_PASSWORD_REQUIRED answer, as the API takes it, then the sign-in completes."""
    pool, client = authorize.load(ctx, req)
    row = sessions.take(ctx, client, session, outcome.NEW_PASSWORD_REQUIRED)
    user = ctx.db.get(User, row.user_id) if row.user_id else None
    if user is None:
        raise NotAuthorizedException(sessions.INVALID)
    challenge_answer.apply(ctx, pool, client, user, new_password, given)
    for step in AFTER_PASSWORD:
        page = step(ctx, req, pool, client, user)
        if page is not None:
            return page
    return authorize.signed_in(ctx, req, request, user)


def required_fields(form: Any) -> dict[str, str]:
    """``requiredAttributes[name]`` fields as {name: value} (empty ones included)."""
    prefix = "requiredAttributes["
    return {key[len(prefix):-1]: form.get(key) or "" for key in form if key.startswith(prefix) and key.endswith("]")}


def submit_new_password(request: Request) -> Response:
    """POST /forceChangePassword: the new password (and any missing required attributes)."""
    try:
        req = authorize.parse_request(request)
    except AuthError as err:
        return web.redirect(err.location())
    session = request.form.get("session") or ""
    username = request.form.get("username") or ""
    fields = required_fields(request.form)
    given = {name: value for name, value in fields.items() if value}
    new_password = request.form.get("newPassword") or ""
    required = list(fields)

    def again(error: str) -> Response:
        return new_password_page(req, session=session, username=username, required=required, error=error,
                                 status=400)

    if not cookies.csrf_ok(request):
        return again(CSRF_EXPIRED)
    if new_password != (request.form.get("confirmPassword") or ""):
        return again(MISMATCH)
    try:
        return web.run(lambda ctx: _set_new_password(ctx, req, request, session, new_password, given),
                       operation="HostedUINewPassword", pool_id=req.pool_id)
    except NotAuthorizedException as err:  # the session is gone: start over
        return login_page(req, error=err.message, username=username, status=400)
    except CognitoError as err:
        return again(err.message)
