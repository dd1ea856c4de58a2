"""The Hosted UI's pages: plain server-rendered HTML whose forms work without JavaScript.

Field names follow the classic Hosted UI (``username``, ``password``, ``_csrf``,
``requiredAttributes[name]``...) so that scripts written against it fill these too.
Errors are shown on the page itself (``role="alert"``), never by a redirect.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from jinja2 import DictLoader, Environment

from emulator.hostedui import cookies

_LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f3f3;margin:0;color:#16191f}
main{max-width:22rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:1.3rem;margin-top:0}label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input[type=text],input[type=password],input[type=email],input[type=tel]{width:100%;box-sizing:border-box;
padding:.5rem;border:1px solid #879596;border-radius:3px;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.6rem;background:#0972d3;color:#fff;border:0;border-radius:3px;
font-size:1rem;cursor:pointer}button.link{background:none;color:#0972d3;width:auto;padding:0;margin:.5rem 0}
.error{background:#fdf3f1;border:1px solid #d91515;color:#d91515;padding:.5rem;border-radius:3px}
.notice{background:#f2f8fd;border:1px solid #0972d3;padding:.5rem;border-radius:3px}
p.small{font-size:.9rem}a{color:#0972d3}
</style>
</head>
<body>
<main>
<h1>{{ heading or title }}</h1>
{% if error %}<p class="error" id="errorMessage" role="alert">{{ error }}</p>{% endif %}
{% if notice %}<p class="notice" id="noticeMessage" role="status">{{ notice }}</p>{% endif %}
{% block content %}{% endblock %}
</main>
</body>
</html>
"""

_CSRF = '<input type="hidden" name="_csrf" value="{{ csrf }}">'

_TEMPLATES = {
    "layout.html": _LAYOUT,
    "login.html": """{% extends "layout.html" %}{% block content %}
<p>Sign in with your username and password</p>
<form name="cognitoSignInForm" method="post" action="{{ action }}">
""" + _CSRF + """
<label for="signInFormUsername">Username</label>
<input id="signInFormUsername" name="username" type="text" value="{{ username }}" autocomplete="username"
 autocapitalize="none" required autofocus>
<label for="signInFormPassword">Password</label>
<input id="signInFormPassword" name="password" type="password" autocomplete="current-password" required>
<button type="submit" name="signInSubmitButton" value="Sign in">Sign in</button>
</form>
<p class="small"><a href="/forgotPassword?{{ query }}">Forgot your password?</a></p>
{% if self_signup %}<p class="small">Need an account? <a href="/signup?{{ query }}">Sign up</a></p>{% endif %}
{% endblock %}""",
    "new_password.html": """{% extends "layout.html" %}{% block content %}
<p>Please enter a new password for {{ username }}.</p>
<form name="cognitoNewPasswordForm" method="post" action="/forceChangePassword?{{ query }}">
""" + _CSRF + """
<input type="hidden" name="session" value="{{ session }}">
<input type="hidden" name="username" value="{{ username }}">
<label for="newPassword">New password</label>
<input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required>
<label for="confirmPassword">Confirm new password</label>
<input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required>
{% for name in required %}
<label for="attr-{{ name }}">{{ name }}</label>
<input id="attr-{{ name }}" name="requiredAttributes[{{ name }}]" type="text" required>
{% endfor %}
<button type="submit" name="signInSubmitButton" value="Send">Send</button>
</form>
{% endblock %}""",
    "signup.html": """{% extends "layout.html" %}{% block content %}
<p>Sign up with a new account</p>
<form name="cognitoSignUpForm" method="post" action="/signup?{{ query }}">
""" + _CSRF + """
<label for="signUpFormUsername">{{ username_label }}</label>
<input id="signUpFormUsername" name="username" type="text" value="{{ username }}" autocomplete="username"
 autocapitalize="none" required>
{% for field in fields %}
<label for="attr-{{ field.name }}">{{ field.label }}</label>
<input id="attr-{{ field.name }}" name="requiredAttributes[{{ field.name }}]" type="{{ field.type }}"
 value="{{ field.value }}"{% if field.required %} required{% endif %}>
{% endfor %}
<label for="signUpFormPassword">Password</label>
<input id="signUpFormPassword" name="password" type="password" autocomplete="new-password" required>
<button type="submit" name="signUpButton" value="Sign up">Sign up</button>
</form>
<p class="small">Already have an account? <a href="/login?{{ query }}">Sign in</a></p>
{% endblock %}""",
    "confirm.html": """{% extends "layout.html" %}{% block content %}
<form name="cognitoConfirmForm" method="post" action="/confirm?{{ query }}">
""" + _CSRF + """
<input type="hidden" name="session" value="{{ session }}">
<label for="confirmUsername">Username</label>
<input id="confirmUsername" name="username" type="text" value="{{ username }}" required>
<label for="verificationCode">Verification code</label>
<input id="verificationCode" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit" name="confirm" value="Confirm account">Confirm account</button>
</form>
<form method="post" action="/resendcode?{{ query }}">
""" + _CSRF + """
<input type="hidden" name="session" value="{{ session }}">
<input type="hidden" name="username" value="{{ username }}">
<button type="submit" class="link" name="resend" value="Resend code">Resend code</button>
</form>
{% endblock %}""",
    "forgot.html": """{% extends "layout.html" %}{% block content %}
<p>Enter your username below and we will send a message to reset your password.</p>
<form name="cognitoForgotForm" method="post" action="/forgotPassword?{{ query }}">
""" + _CSRF + """
<label for="forgotUsername">Username</label>
<input id="forgotUsername" name="username" type="text" value="{{ username }}" autocomplete="username" required>
<button type="submit" name="reset_my_password" value="Reset my password">Reset my password</button>
</form>
<p class="small"><a href="/login?{{ query }}">Back to sign in</a></p>
{% endblock %}""",
    "reset.html": """{% extends "layout.html" %}{% block content %}
<form name="cognitoResetForm" method="post" action="/confirmForgotPassword?{{ query }}">
""" + _CSRF + """
<input type="hidden" name="username" value="{{ username }}">
<label for="resetCode">Code</label>
<input id="resetCode" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<label for="resetPassword">New password</label>
<input id="resetPassword" name="password" type="password" autocomplete="new-password" required>
<label for="resetConfirmPassword">Enter new password again</label>
<input id="resetConfirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required>
<button type="submit" name="change_password" value="Change Password">Change Password</button>
</form>
{% endblock %}""",
    "message.html": """{% extends "layout.html" %}{% block content %}
{% if link %}<p><a href="{{ link }}">{{ link_text }}</a></p>{% endif %}
{% endblock %}""",
}

_env = Environment(loader=DictLoader(_TEMPLATES), autoescape=True)


def add_templates(templates: dict[str, str]) -> None:
    """Pages another module defines (the MFA step), rendered by ``render`` like these."""
    _TEMPLATES.update(templates)


def render(name: str, *, title: str, status: int = 200, **values: Any) -> Response:
    """A page, with the CSRF token its forms carry (and the cookie that matches it)."""
    token, new = cookies.csrf_token(request)
    html = _env.get_template(name).render(title=title, csrf=token, **values)
    resp = Response(html, status=status, content_type="text/html; charset=utf-8")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Frame-Options"] = "DENY"
    if new:
        cookies.set_csrf(resp, request, token)
    return resp


def message(title: str, *, error: str | None = None, notice: str | None = None, status: int = 200,
            link: str | None = None, link_text: str | None = None, heading: str | None = None) -> Response:
    return render("message.html", title=title, heading=heading, error=error, notice=notice, status=status,
                  link=link, link_text=link_text)


ERROR_TEXT = {
    "redirect_mismatch": "The redirect_uri is not one of the app client's callback URLs.",
    "invalid_request": "The request is missing a required parameter or names an unknown app client.",
    "unauthorized_client": "The app client is not allowed to do this.",
    "logout_mismatch": "The logout_uri is not one of the app client's sign-out URLs.",
}


def error_page(code: str) -> Response:
    """Cognito's error page: 400, with the error code and what it means."""
    return message("An error was encountered with the requested page.", heading="Error", status=400,
                   error=f"{code}: {ERROR_TEXT.get(code, 'The request could not be completed.')}")
