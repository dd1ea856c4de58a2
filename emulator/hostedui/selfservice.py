"""Self-service pages: ``/signup``, ``/confirm`` (+ ``/resendcode``), ``/confirmUser`` (the
link of CONFIRM_WITH_LINK e-mails), ``/forgotPassword`` and ``/confirmForgotPassword``.

Each page calls the API operation a client would (SignUp, ConfirmSignUp,
ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword) through ``web.call_api``,
with the SECRET_HASH worked out for clients that have a secret, so the rules, messages
and codes are the API's. Codes arrive through the outbox (``GET /_cogito/messages``).
A sign-up confirmed in the same browser within the client's AuthSessionValidity signs
the user in, as the Hosted UI does; otherwise the login page follows.
"""

from __future__ import annotations

from typing import Any

from flask import Request, Response
from sqlalchemy import select

from emulator.context import Context
from emulator.errors import CognitoError, NotAuthorizedException
from emulator.hostedui import authorize, cookies, login, pages, web
from emulator.hostedui.authrequest import AuthError, AuthRequest
from emulator.userpool import attributes, directory, secret_hash
from emulator.userpool.auth import sessions
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

SIGNUP_STEP = "HOSTED_UI_SIGNUP"
LABELS = {"email": "Email", "phone_number": "Phone number", "name": "Name", "given_name": "Given name",
          "family_name": "Family name", "preferred_username": "Preferred username", "birthdate": "Birthdate"}
TYPES = {"email": "email", "phone_number": "tel"}
MEDIUM_WORD = {"EMAIL": "email", "SMS": "SMS"}


def _with_secret(client: AppClient, username: str, params: dict[str, Any]) -> dict[str, Any]:
    if client.secret:
        params["SecretHash"] = secret_hash.compute(client.secret, username, client.client_id)
    return params


def _sent(details: dict[str, str] | None, what: str) -> str | None:
    if not details:
        return None
    medium = MEDIUM_WORD.get(details.get("DeliveryMedium", ""), "message")
    return f"We have sent {what} by {medium} to {details.get('Destination', '')}."


def _parse(request: Request) -> AuthRequest | Response:
    try:
        return authorize.parse_request(request)
    except AuthError as err:
        return web.redirect(err.location())


# --- sign-up ---------------------------------------------------------------------------------

def _signup_fields(pool: UserPool, values: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """The username label and the attribute fields the sign-up form asks for."""
    kinds = list(pool.config.get("UsernameAttributes") or [])
    label = {("email",): "Email", ("phone_number",): "Phone number"}.get(tuple(kinds), "Username")
    if len(kinds) == 2:
        label = "Email or phone number"
    wanted = list(attributes.required_names(pool))
    for name in pool.config.get("AutoVerifiedAttributes") or []:
        if name not in wanted:
            wanted.append(name)
    required = set(attributes.required_names(pool))
    fields = [{"name": n, "label": LABELS.get(n, n), "type": TYPES.get(n, "text"), "value": values.get(n, ""),
               "required": n in required} for n in wanted if n not in kinds]
    return label, fields


def signup_page(req: AuthRequest, *, error: str | None = None, username: str = "",
                values: dict[str, str] | None = None, status: int = 200) -> Response:
    def fields(ctx: Context) -> tuple[str, list[dict[str, Any]]]:
        pool, _client = authorize.load(ctx, req)
        return _signup_fields(pool, values or {})

    label, form_fields = web.run(fields, operation="HostedUISignUp", write=False)
    return pages.render("signup.html", title="Sign up", status=status, error=error, username=username,
                        username_label=label, fields=form_fields, query=req.query)


def confirm_page(req: AuthRequest, *, username: str, session: str = "", error: str | None = None,
                 notice: str | None = None, status: int = 200) -> Response:
    return pages.render("confirm.html", title="Confirm your account", status=status, error=error, notice=notice,
                        username=username, session=session, query=req.query)


def show_signup(request: Request) -> Response:
    req = _parse(request)
    if isinstance(req, Response):
        return req
    if not req.self_signup:
        return login.login_page(req, error="SignUp is not permitted for this user pool", status=400)
    return signup_page(req)


def _sign_up(ctx: Context, req: AuthRequest, username: str, password: str, values: dict[str, str]) -> Response:
    pool, client = authorize.load(ctx, req)
    kinds = pool.config.get("UsernameAttributes") or []
    attrs = dict(values)
    for kind, looks in (("email", "@" in username), ("phone_number", username.startswith("+"))):
        if kind in kinds and looks:
            attrs.setdefault(kind, username)
    params = _with_secret(client, username, {
        "ClientId": client.client_id, "Username": username, "Password": password,
        "UserAttributes": [{"Name": k, "Value": v} for k, v in attrs.items()],
    })
    result = web.call_api(ctx, "SignUp", params)
    user = ctx.db.scalar(select(User).where(User.pool_id == pool.id, User.sub == result["UserSub"]))
    session = sessions.start(ctx, client, user, SIGNUP_STEP)
    notice = _sent(result.get("CodeDeliveryDetails"), "a code")
    if notice is None:
        return pages.message("Sign up", notice="Your account has been created. An administrator must confirm it "
                                               "before you can sign in.")
    return confirm_page(req, username=username, session=session,
                        notice=notice + " Enter it below to confirm your account.")


def submit_signup(request: Request) -> Response:
    req = _parse(request)
    if isinstance(req, Response):
        return req
    username = (request.form.get("username") or "").strip()
    values = {k: v for k, v in login.required_fields(request.form).items() if v}
    if not cookies.csrf_ok(request):
        return signup_page(req, error=login.CSRF_EXPIRED, username=username, values=values, status=400)
    if not req.self_signup:
        return login.login_page(req, error="SignUp is not permitted for this user pool", status=400)
    password = request.form.get("password") or ""
    try:
        return web.run(lambda ctx: _sign_up(ctx, req, username, password, values), operation="HostedUISignUp",
                       pool_id=req.pool_id)
    except CognitoError as err:
        return signup_page(req, error=err.message, username=username, values=values, status=400)


# --- confirmation ----------------------------------------------------------------------------

def _confirm(ctx: Context, req: AuthRequest, request: Request, username: str, code: str, session: str) -> Response:
    pool, client = authorize.load(ctx, req)
    web.call_api(ctx, "ConfirmSignUp", _with_secret(client, username, {
        "ClientId": client.client_id, "Username": username, "ConfirmationCode": code}))
    user = directory.find_user(ctx.db, pool, username)
    row = None
    if session:
        try:
            row = sessions.take(ctx, client, session, SIGNUP_STEP)
        except NotAuthorizedException:
            row = None
    if row is not None and user is not None and row.user_id == user.id:
        return authorize.signed_in(ctx, req, request, user)
    return login.login_page(req, notice="Your account has been confirmed. Sign in to continue.", username=username)


def submit_confirm(request: Request) -> Response:
    req = _parse(request)
    if isinstance(req, Response):
        return req
    username = (request.form.get("username") or "").strip()
    code = (request.form.get("code") or "").strip()
    session = request.form.get("session") or ""
    if not cookies.csrf_ok(request):
        return confirm_page(req, username=username, session=session, error=login.CSRF_EXPIRED, status=400)
    try:
        return web.run(lambda ctx: _confirm(ctx, req, request, username, code, session),
                       operation="HostedUIConfirm", pool_id=req.pool_id)
    except CognitoError as err:
        return confirm_page(req, username=username, session=session, error=err.message, status=400)


def show_confirm(request: Request) -> Response:
    req = _parse(request)
    if isinstance(req, Response):
        return req
    return confirm_page(req, username=request.args.get("username") or "")


def submit_resend(request: Request) -> Response:
    req = _parse(request)
    if isinstance(req, Response):
        return req
    username = (request.form.get("username") or "").strip()
    session = request.form.get("session") or ""
    if not cookies.csrf_ok(request):
        return confirm_page(req, username=username, session=session, error=login.CSRF_EXPIRED, status=400)

    def resend(ctx: Context) -> dict[str, Any]:
        _pool, client = authorize.load(ctx, req)
        return web.call_api(ctx, "ResendConfirmationCode", _with_secret(client, username, {
            "ClientId": client.client_id, "Username": username}))

    try:
        result = web.run(resend, operation="HostedUIResend", pool_id=req.pool_id)
    except CognitoError as err:
        return confirm_page(req, username=username, session=session, error=err.message, status=400)
    notice = _sent(result.get("CodeDeliveryDetails"), "a new code") or "A new code has been sent."
    return confirm_page(req, username=username, session=session, notice=notice)


def confirm_user_link(request: Request) -> Response:
    """GET /confirmUser?client_id&user_name&confirmation_code: the e-mailed confirmation link."""
    client_id = request.args.get("client_id") or ""
    username = request.args.get("user_name") or ""
    code = request.args.get("confirmation_code") or ""

    def confirm(ctx: Context) -> None:
        client = ctx.db.get(AppClient, client_id) if client_id else None
        if client is None:
            raise NotAuthorizedException("Invalid client id.")
        web.call_api(ctx, "ConfirmSignUp", _with_secret(client, username, {
            "ClientId": client_id, "Username": username, "ConfirmationCode": code}))

    try:
        web.run(confirm, operation="HostedUIConfirmUser")
    except CognitoError as err:
        return pages.message("Confirm registration", error=err.message, status=400)
    return pages.message("Confirm registration", notice="Your registration has been confirmed!")


# --- forgotten password ----------------------------------------------------------------------

def forgot_page(req: AuthRequest, *, username: str = "", error: str | None = None, status: int = 200) -> Response:
    return pages.render("forgot.html", title="Forgot your password?", status=status, error=error,
                        username=username, query=req.query)


def reset_page(req: AuthRequest, *, username: str, error: str | None = None, notice: str | None = None,
               status: int = 200) -> Response:
    return pages.render("reset.html", title="Reset your password", status=status, error=error, notice=notice,
                        username=username, query=req.query)


def show_forgot(request: Request) -> Response:
    req = _parse(request)
    return req if isinstance(req, Response) else forgot_page(req)


def submit_forgot(request: Request) -> Response:
    req = _parse(request)
    if isinstance(req, Response):
        return req
    username = (request.form.get("username") or "").strip()
    if not cookies.csrf_ok(request):
        return forgot_page(req, username=username, error=login.CSRF_EXPIRED, status=400)

    def send(ctx: Context) -> dict[str, Any]:
        _pool, client = authorize.load(ctx, req)
        return web.call_api(ctx, "ForgotPassword", _with_secret(client, username, {
            "ClientId": client.client_id, "Username": username}))

    try:
        result = web.run(send, operation="HostedUIForgotPassword", pool_id=req.pool_id)
    except CognitoError as err:
        return forgot_page(req, username=username, error=err.message, status=400)
    notice = _sent(result.get("CodeDeliveryDetails"), "a password reset code")
    return reset_page(req, username=username, notice=(notice or "") + " Enter it below to reset your password.")


def submit_reset(request: Request) -> Response:
    req = _parse(request)
    if isinstance(req, Response):
        return req
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    if not cookies.csrf_ok(request):
        return reset_page(req, username=username, error=login.CSRF_EXPIRED, status=400)
    if password != (request.form.get("confirmPassword") or ""):
        return reset_page(req, username=username, error=login.MISMATCH, status=400)

    def reset(ctx: Context) -> None:
        _pool, client = authorize.load(ctx, req)
        web.call_api(ctx, "ConfirmForgotPassword", _with_secret(client, username, {
            "ClientId": client.client_id, "Username": username, "Password": password,
            "ConfirmationCode": (request.form.get("code") or "").strip()}))

    try:
        web.run(reset, operation="HostedUIConfirmForgotPassword", pool_id=req.pool_id)
    except CognitoError as err:
        return reset_page(req, username=username, error=err.message, status=400)
    return login.login_page(req, notice="Your password has been reset. Sign in with your new password.",
                            username=username)
