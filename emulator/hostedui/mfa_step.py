"""The Hosted UI's MFA step: after the password, the code page (SMS, e-mail or authenticator app),
or, in a pool that requires MFA, setting up an authenticator app.

It runs as one of ``login.AFTER_PASSWORD`` and uses the API's own machinery: the same
single-use sessions, code checks and wording as RespondToAuthChallenge (auth.mfa) and
Associate/VerifySoftwareToken (auth.mfa_ops). A user with several factors and no
preference is asked for the preferred one if set, else the first the pool lists (the
managed login's factor picker is not reproduced). A required-MFA user can set up only an
authenticator app here (the managed login would also collect a phone number or e-mail).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Request, Response

from emulator.context import Context
from emulator.errors import CognitoError, NotAuthorizedException
from emulator.hostedui import authorize, cookies, pages, web
from emulator.hostedui.authrequest import AuthError, AuthRequest
from emulator.userpool.auth import mfa, mfa_ops, sessions
from emulator.userpool.auth import mfa_settings as settings
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

CSRF_EXPIRED = "Your sign-in page has expired. Please try again."
_FORM = '<input type="hidden" name="_csrf" value="{{ csrf }}">'
TEMPLATES = {
    "mfa_code.html": """{% extends "layout.html" %}{% block content %}
<p>{{ prompt }}</p>
<form name="cognitoMfaForm" method="post" action="/mfa?{{ query }}">
""" + _FORM + """
<input type="hidden" name="session" value="{{ session }}">
<input type="hidden" name="factor" value="{{ factor }}">
<input type="hidden" name="prompt" value="{{ prompt }}">
<label for="mfaCode">Code</label>
<input id="mfaCode" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus>
<button type="submit" name="signInSubmitButton" value="Sign in">Sign in</button>
</form>
{% endblock %}""",
    "mfa_setup.html": """{% extends "layout.html" %}{% block content %}
<p>Scan the key into your authenticator app, then enter the code it shows.</p>
<p><code id="secretCode">{{ secret }}</code></p>
<p class="small"><a id="otpauthLink" href="{{ uri }}">{{ uri }}</a></p>
<form name="cognitoMfaSetupForm" method="post" action="/mfa/setup?{{ query }}">
""" + _FORM + """
<input type="hidden" name="session" value="{{ session }}">
<input type="hidden" name="secret" value="{{ secret }}">
<input type="hidden" name="username" value="{{ username }}">
<label for="setupCode">Code</label>
<input id="setupCode" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus>
<button type="submit" name="signInSubmitButton" value="Verify">Verify</button>
</form>
{% endblock %}""",
}
pages.add_templates(TEMPLATES)

_PROMPTS = {
    mfa.SOFTWARE_TOKEN_MFA: "Enter the code from your authenticator app.",
    mfa.SMS_MFA: "We have sent a code by SMS to {destination}. Enter it to sign in.",
    mfa.EMAIL_OTP: "We have sent a code by e-mail to {destination}. Enter it to sign in.",
}


def _code_page(req: AuthRequest, *, session: str, factor: str, prompt: str, error: str | None = None,
               status: int = 200) -> Response:
    return pages.render("mfa_code.html", title="Multi-factor authentication", status=status, error=error,
                        session=session, factor=factor, prompt=prompt, query=req.query)


def _setup_page(req: AuthRequest, *, session: str, secret: str, username: str, error: str | None = None,
                status: int = 200) -> Response:
    uri = f"otpauth://totp/{quote(req.pool_id)}:{quote(username)}?secret={secret}&issuer={quote(req.pool_id)}"
    return pages.render("mfa_setup.html", title="Set up multi-factor authentication", status=status, error=error,
                        session=session, secret=secret, uri=uri, username=username, query=req.query)


def step(ctx: Context, req: AuthRequest, pool: UserPool, client: AppClient, user: User) -> Response | None:
    """After the password: the MFA page this user owes, or None to finish signing in."""
    if not settings.applies(pool, user):
        return None
    factors = settings.usable(pool, user)
    if not factors:
        if settings.TOTP not in settings.pool_factors(pool):
            return pages.message("Multi-factor authentication", status=400,
                                 error="This user must set up an SMS or e-mail factor before signing in.")
        secret = mfa_ops.start_association(user)
        session = sessions.start(ctx, client, user, mfa.MFA_SETUP, {"stage": "associated"})
        return _setup_page(req, session=session, secret=secret, username=user.username)
    preferred = settings.preferred(user)
    factor = preferred if preferred in factors else factors[0]
    challenge = mfa.issue(ctx, pool, client, user, factor, {})
    destination = challenge["ChallengeParameters"].get("CODE_DELIVERY_DESTINATION", "")
    return _code_page(req, session=challenge["Session"], factor=factor,
                      prompt=_PROMPTS[factor].format(destination=destination))


def _session_user(ctx: Context, req: AuthRequest, session: str, challenge: str) -> tuple[Any, User, UserPool]:
    pool, client = authorize.load(ctx, req)
    row = sessions.take(ctx, client, session, challenge, mark_used=False)
    user = ctx.db.get(User, row.user_id) if row.user_id else None
    if user is None or not user.enabled:
        raise NotAuthorizedException(sessions.INVALID)
    return row, user, pool


def submit_code(request: Request) -> Response:
    """POST /mfa: the code; right, the sign-in completes; wrong, the page again (the session stays)."""
    try:
        req = authorize.parse_request(request)
    except AuthError as err:
        return web.redirect(err.location())
    session, factor = request.form.get("session") or "", request.form.get("factor") or ""
    prompt, code = request.form.get("prompt") or "", (request.form.get("code") or "").strip()
    if factor not in _PROMPTS:
        return pages.error_page("invalid_request")
    if not cookies.csrf_ok(request):
        return _code_page(req, session=session, factor=factor, prompt=prompt, error=CSRF_EXPIRED, status=400)

    def check(ctx: Context) -> Response:
        row, user, pool = _session_user(ctx, req, session, factor)
        mfa.check_code(ctx, pool, row, user, factor, code)
        return authorize.signed_in(ctx, req, request, user)

    try:
        return web.run(check, operation="HostedUIMfa", pool_id=req.pool_id)
    except NotAuthorizedException as err:  # the session is gone: start over
        from emulator.hostedui import login

        return login.login_page(req, error=err.message, status=400)
    except CognitoError as err:
        return _code_page(req, session=session, factor=factor, prompt=prompt, error=err.message, status=400)


def submit_setup(request: Request) -> Response:
    """POST /mfa/setup: the first code of the new authenticator; right, it is on and the sign-in completes."""
    try:
        req = authorize.parse_request(request)
    except AuthError as err:
        return web.redirect(err.location())
    session, secret = request.form.get("session") or "", request.form.get("secret") or ""
    username, code = request.form.get("username") or "", (request.form.get("code") or "").strip()
    if not cookies.csrf_ok(request):
        return _setup_page(req, session=session, secret=secret, username=username, error=CSRF_EXPIRED, status=400)

    def check(ctx: Context) -> Response:
        row, user, _pool = _session_user(ctx, req, session, mfa.MFA_SETUP)
        mfa_ops.verify_pending(ctx, user, code, friendly_name=None, enable=True)
        row.used = True
        return authorize.signed_in(ctx, req, request, user)

    try:
        return web.run(check, operation="HostedUIMfaSetup", pool_id=req.pool_id)
    except NotAuthorizedException as err:
        from emulator.hostedui import login

        return login.login_page(req, error=err.message, status=400)
    except CognitoError as err:
        return _setup_page(req, session=session, secret=secret, username=username, error=err.message, status=400)
