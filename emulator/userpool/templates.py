"""Verification messages: the pool's templates with ``{####}`` filled in, or Cognito's defaults.

Where the text comes from, first found wins:
- ``VerificationMessageTemplate`` (EmailMessage, EmailSubject, SmsMessage, and the
  ``...ByLink`` pair when DefaultEmailOption is CONFIRM_WITH_LINK);
- the older top-level ``EmailVerificationMessage`` / ``EmailVerificationSubject`` /
  ``SmsVerificationMessage``;
- Cognito's defaults as DescribeUserPool shows them on a console-made pool.

Link emails are used only for sign-up and resent confirmation codes; attribute updates
and forgotten passwords always use the code template (AWS developer guide, "Message
templates"). The ``{##text##}`` placeholder becomes a link to ``/confirmUser`` on the
emulator, shaped like the managed login's link.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from emulator.userpool.models import UserPool

CODE_PLACEHOLDER = "{####}"
DEFAULT_MESSAGE = "Your verification code is {####}. "
DEFAULT_SUBJECT = "Your verification code"
# [U] as remembered from DescribeUserPool on console-made pools.
DEFAULT_LINK_MESSAGE = "Please click the link below to verify your email address. {##Verify Email##} "
DEFAULT_LINK_SUBJECT = "Your verification link"

_LINK = re.compile(r"\{##(.*?)##\}", re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """One message ready for the outbox."""

    body: str
    subject: str | None = None


def _template(pool: UserPool) -> dict[str, Any]:
    return dict(pool.config.get("VerificationMessageTemplate") or {})


def _first(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value:
            return value
    return None


def uses_link(pool: UserPool) -> bool:
    """Whether sign-up emails carry a link rather than a code."""
    return _template(pool).get("DefaultEmailOption") == "CONFIRM_WITH_LINK"


def confirm_link(base_url: str, client_id: str, username: str, code: str) -> str:
    """The confirmation link, as the managed login shapes it: ``/confirmUser?client_id&user_name&confirmation_code``."""
    query = urlencode({"client_id": client_id, "user_name": username, "confirmation_code": code})
    return f"{base_url.rstrip('/')}/confirmUser?{query}"


def fill(text: str, code: str) -> str:
    return text.replace(CODE_PLACEHOLDER, code)


def verification(
    pool: UserPool, medium: str, code: str, *, link: str | None = None,
) -> Rendered:
    """The verification message for ``medium`` (EMAIL or SMS).

    ``link`` is given only where Cognito may send a link (sign-up, resent confirmation);
    it is used when the pool's DefaultEmailOption is CONFIRM_WITH_LINK.
    """
    template = _template(pool)
    config = pool.config
    if medium == "SMS":
        text = _first(template.get("SmsMessage"), config.get("SmsVerificationMessage"), DEFAULT_MESSAGE)
        return Rendered(body=fill(text or DEFAULT_MESSAGE, code))
    if link is not None and uses_link(pool):
        text = _first(template.get("EmailMessageByLink"), DEFAULT_LINK_MESSAGE) or DEFAULT_LINK_MESSAGE
        subject = _first(template.get("EmailSubjectByLink"), DEFAULT_LINK_SUBJECT)
        body = _LINK.sub(lambda m: f'<a href="{html.escape(link)}">{m.group(1)}</a>', text)
        return Rendered(body=fill(body, code), subject=subject)
    text = _first(template.get("EmailMessage"), config.get("EmailVerificationMessage"), DEFAULT_MESSAGE)
    subject = _first(template.get("EmailSubject"), config.get("EmailVerificationSubject"), DEFAULT_SUBJECT)
    return Rendered(body=fill(text or DEFAULT_MESSAGE, code), subject=subject)
