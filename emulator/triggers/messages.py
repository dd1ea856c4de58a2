"""CustomMessage, CustomEmailSender and CustomSMSSender: every message the outbox records.

``outbox.send`` asks ``customize`` before recording a message. The trigger source comes
from the message kind and the operation: ``SignUp``, ``ResendCode``, ``AdminCreateUser``,
``ForgotPassword`` (also AdminResetUserPassword), ``UpdateUserAttribute``,
``VerifyUserAttribute`` (GetUserAttributeVerificationCode) and ``Authentication`` (MFA and
sign-in codes, and any other kind).

- CustomMessage: the request carries ``codeParameter`` ``{####}``, ``linkParameter``
  ``{##Click Here##}`` and, for AdminCreateUser, ``usernameParameter`` ``{username}``. The
  returned ``emailMessage``/``emailSubject``/``smsMessage`` replace the text, with the
  placeholders filled in. A message without ``{####}`` (or, for an invitation, without
  ``{username}``) is not used: the default text is sent ([U] Cognito's documented rule is
  that the message must contain them).
- Custom senders: when the pool names one for the message's medium, Cognito hands the code
  to that function instead of sending (``request.type`` ``customEmailSenderRequestV1`` /
  ``customSMSSenderRequestV1``). Real Cognito encrypts ``request.code`` with the pool's
  KMS key; Cogito sends it in plain text. The call is asynchronous in AWS: its failure
  changes nothing. The outbox still records the message, so tests can read the code.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from emulator.context import Context
from emulator.errors import InvalidLambdaResponseException
from emulator.triggers import events, invoke
from emulator.userpool.directory_models import User
from emulator.userpool.models import UserPool

CODE = "{####}"
LINK = "{##Click Here##}"
USERNAME = "{username}"
_LINK_PLACEHOLDER = re.compile(r"\{##(.*?)##\}", re.DOTALL)
_BY_KIND = {"SIGNUP": "SignUp", "INVITATION": "AdminCreateUser", "FORGOT_PASSWORD": "ForgotPassword",
            "VERIFY_ATTRIBUTE": "UpdateUserAttribute"}
_RESEND_OPERATIONS = frozenset({"ResendConfirmationCode", "HostedUIResend"})
_VERIFY_OPERATIONS = frozenset({"GetUserAttributeVerificationCode"})


def source_suffix(ctx: Context, kind: str) -> str:
    if kind == "SIGNUP" and ctx.operation in _RESEND_OPERATIONS:
        return "ResendCode"
    if kind == "VERIFY_ATTRIBUTE" and ctx.operation in _VERIFY_OPERATIONS:
        return "VerifyUserAttribute"
    return _BY_KIND.get(kind, "Authentication")


def customize(ctx: Context, *, pool_id: str, username: str, kind: str, medium: str, body: str,
              subject: str | None, code: str | None) -> tuple[str, str | None]:
    """The (body, subject) to record, after the pool's triggers had their say."""
    pool = ctx.db.get(UserPool, pool_id)
    if pool is None or not events.lambda_config(pool):
        return body, subject
    sender = "CustomEmailSender" if medium == "EMAIL" else "CustomSMSSender"
    has_sender = events.function_arn(pool, sender) is not None
    if not has_sender and events.function_arn(pool, "CustomMessage") is None:
        return body, subject
    user = ctx.db.scalar(select(User).where(User.pool_id == pool.id, User.username == username))
    suffix = source_suffix(ctx, kind)
    if has_sender:
        _hand_to_sender(ctx, pool, user, username, sender, suffix, code)
        return body, subject
    return _custom_message(ctx, pool, user, username, kind, medium, suffix, body, subject, code)


def _hand_to_sender(ctx: Context, pool: UserPool, user: User | None, username: str, sender: str, suffix: str,
                    code: str | None) -> None:
    arn = events.function_arn(pool, sender)
    kind = "customEmailSenderRequestV1" if sender == "CustomEmailSender" else "customSMSSenderRequestV1"
    call = events.call_of(ctx)
    metadata = None if ctx.operation in events.INITIATE_OPERATIONS else call.client_metadata
    request = events.with_metadata({"type": kind, "code": code, "userAttributes": events.user_attributes(pool, user)},
                                   metadata)
    sent = events.event(pool, f"{sender}_{suffix}", username, call.client_id, request, {})
    invoke.call_async(ctx, sender, str(arn), sent)


def _shown_name(pool: UserPool, user: User | None, username: str) -> str:
    """The name an invitation shows: the e-mail or phone in pools that sign in with them."""
    from emulator.userpool import usernames

    attrs = (user.attributes or {}) if user is not None else {}
    for kind in usernames.username_attributes(pool):
        if attrs.get(kind):
            return attrs[kind]
    return username


def _link(ctx: Context, pool: UserPool, kind: str, username: str, code: str | None) -> str | None:
    from emulator.userpool import templates

    client_id = events.call_of(ctx).client_id
    if kind != "SIGNUP" or not code or not client_id or not templates.uses_link(pool):
        return None
    return templates.confirm_link(ctx.base_url, client_id, username, code)


def _custom_message(ctx: Context, pool: UserPool, user: User | None, username: str, kind: str, medium: str,
                    suffix: str, body: str, subject: str | None, code: str | None) -> tuple[str, str | None]:
    invitation = suffix == "AdminCreateUser"
    call = events.call_of(ctx)
    request: dict[str, Any] = {
        "userAttributes": events.user_attributes(pool, user),
        "codeParameter": CODE,
        "linkParameter": LINK,
        "usernameParameter": USERNAME if invitation else None,
    }
    events.with_metadata(request, None if ctx.operation in events.INITIATE_OPERATIONS else call.client_metadata)
    response = events.run(
        ctx, pool, "CustomMessage", f"CustomMessage_{suffix}", user_name=username, client_id=call.client_id,
        request=request, response={"smsMessage": None, "emailMessage": None, "emailSubject": None},
    )
    for name in ("smsMessage", "emailMessage", "emailSubject"):
        if response.get(name) is not None and not isinstance(response[name], str):
            raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
    text = response.get("emailMessage") if medium == "EMAIL" else response.get("smsMessage")
    if not text or (code and CODE not in text) or (invitation and USERNAME not in text):
        return body, subject
    filled = text.replace(CODE, code or "").replace(USERNAME, _shown_name(pool, user, username))
    link = _link(ctx, pool, kind, username, code)
    if link is not None:
        filled = _LINK_PLACEHOLDER.sub(lambda m: f'<a href="{html.escape(link)}">{m.group(1)}</a>', filled)
    new_subject = response.get("emailSubject") if medium == "EMAIL" else None
    return filled, (new_subject or subject)
