"""The administrator's user life cycle: create, read, enable/disable, passwords, attributes, delete.

Every operation names its user by username, sign-in alias or sub (``directory.require_target``).
Messages Cognito would send (invitations, reset and verification codes) go to the outbox.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordHistoryPolicyViolationException,
    UnsupportedUserStateException,
    UserNotFoundException,
)
from emulator.protocol.registry import operation
from emulator.triggers import signup as signup_triggers
from emulator.triggers.events import note_call
from emulator.userpool import attributes, codes, directory, outbox, passwords, templates, usernames
from emulator.userpool.directory_models import User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

Params = dict[str, Any]

DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_EMAIL = "Your username is {username} and temporary password is {####}."
DEFAULT_INVITE_SMS = "Your username is {username} and temporary password is {####}"
NO_EMAIL_FOR_MEDIUM = "No email provided but desired delivery medium was Email"
NO_PHONE_FOR_MEDIUM = "No phone_number provided but desired delivery medium was Sms"
CANNOT_RESET = "User password cannot be reset in the current state."
HISTORY_VIOLATION = "The password you entered has been used previously."
MFA_FIELDS = ("MFAOptions", "PreferredMfaSetting", "UserMFASettingList")


def _pool_and_user(ctx: Context, params: Params) -> tuple[UserPool, User]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    return pool, directory.require_target(ctx.db, pool, params["Username"])


def _passwordless_pool(pool: UserPool) -> bool:
    """Whether sign-in without a password is on (then AdminCreateUser generates no password)."""
    factors = (pool.config.get("Policies", {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or []
    return any(f != "PASSWORD" for f in factors)


def _invitation_mediums(params: Params, attrs: dict[str, str]) -> list[str]:
    """Where the invitation goes. Explicit mediums need their attribute; the documented
    default is SMS, which is skipped silently when the user has no phone number [U]."""
    given = params.get("DesiredDeliveryMediums")
    if given:
        for medium in given:
            if medium == "EMAIL" and not attrs.get("email"):
                raise InvalidParameterException(NO_EMAIL_FOR_MEDIUM)
            if medium == "SMS" and not attrs.get("phone_number"):
                raise InvalidParameterException(NO_PHONE_FOR_MEDIUM)
        return list(dict.fromkeys(given))
    return ["SMS"] if attrs.get("phone_number") else []


def _send_invitation(ctx: Context, pool: UserPool, user: User, shown_name: str, password: str | None,
                     mediums: list[str]) -> None:
    """The welcome message from InviteMessageTemplate (or Cognito's default text)."""
    template = (pool.config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    attrs = user.attributes or {}
    for medium in mediums:
        if medium == "EMAIL":
            body, subject, destination = (template.get("EmailMessage") or DEFAULT_INVITE_EMAIL,
                                          template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT, attrs.get("email"))
        else:
            body, subject, destination = template.get("SMSMessage") or DEFAULT_INVITE_SMS, None, attrs.get("phone_number")
        text = body.replace("{username}", shown_name).replace("{####}", password or "")
        outbox.send(ctx, pool_id=pool.id, username=user.username, kind="INVITATION", medium=medium,
                    destination=destination, subject=subject, body=text, code=password)


@operation("cognito-idp", "AdminCreateUser")
def admin_create_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    if params.get("MessageAction") == "RESEND":
        return _resend_invitation(ctx, pool, params)
    attrs = attributes.validate_new(pool, params.get("UserAttributes") or [], client=None)
    password = params.get("TemporaryPassword") or None
    if password is not None:
        passwords.enforce_policy(pool.config, password)
    elif not _passwordless_pool(pool):
        password = passwords.generate_temporary(pool.config)
    suppress = params.get("MessageAction") == "SUPPRESS"
    merged = dict(attrs)
    if usernames.username_attributes(pool):
        merged[usernames.username_kind(pool, params["Username"])] = params["Username"]
    mediums = [] if suppress else _invitation_mediums(params, merged)
    note_call(ctx, None, params.get("ClientMetadata"))
    signup_triggers.pre_sign_up(ctx, pool, signup_triggers.ADMIN_CREATE_USER, params["Username"], merged, client_id=None,
                                validation_data=signup_triggers.attribute_map(params.get("ValidationData")),
                                client_metadata=params.get("ClientMetadata"))
    user = usernames.create_user(
        ctx, pool, params["Username"], attrs, status="FORCE_CHANGE_PASSWORD" if password else "CONFIRMED",
        password=password, force_alias=bool(params.get("ForceAliasCreation")), operation="AdminCreateUser",
    )
    _send_invitation(ctx, pool, user, params["Username"], password, mediums)
    return {"User": directory.user_type(user)}


def _resend_invitation(ctx: Context, pool: UserPool, params: Params) -> dict[str, Any]:
    """MessageAction RESEND: a new temporary password (and validity period) for an invited user."""
    user = directory.find_user(ctx.db, pool, params["Username"])
    if user is None:
        raise UserNotFoundException("User does not exist.")
    if user.status != "FORCE_CHANGE_PASSWORD":
        raise UnsupportedUserStateException(f"Resend not possible. {user.username} status is {user.status}.")
    password = params.get("TemporaryPassword") or None
    if password is not None:
        passwords.enforce_policy(pool.config, password)
    else:
        password = passwords.generate_temporary(pool.config)
    directory.set_password(user, pool, password, ctx.now)
    user.modified = ctx.now
    _send_invitation(ctx, pool, user, params["Username"], password,
                     _invitation_mediums(params, user.attributes or {}))
    return {"User": directory.user_type(user)}


@operation("cognito-idp", "AdminGetUser", readonly=True)
def admin_get_user(ctx: Context, params: Params) -> dict[str, Any]:
    _, user = _pool_and_user(ctx, params)
    result: dict[str, Any] = {
        "Username": user.username,
        "UserAttributes": directory.attribute_list(user),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }
    mfa = user.mfa or {}
    for key in MFA_FIELDS:
        if mfa.get(key):
            result[key] = mfa[key]
    return result


@operation("cognito-idp", "AdminDeleteUser")
def admin_delete_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = _pool_and_user(ctx, params)
    usernames.drop_aliases(ctx, pool, user)
    ctx.db.delete(user)
    ctx.db.flush()
    return {}


@operation("cognito-idp", "AdminDisableUser")
def admin_disable_user(ctx: Context, params: Params) -> dict[str, Any]:
    """Disabled users cannot sign in; their tokens are revoked (AWS documents both)."""
    _, user = _pool_and_user(ctx, params)
    from emulator.userpool.auth.revocation import sign_out_everywhere

    user.enabled = False
    sign_out_everywhere(ctx, user)
    user.modified = ctx.now
    return {}


@operation("cognito-idp", "AdminEnableUser")
def admin_enable_user(ctx: Context, params: Params) -> dict[str, Any]:
    _, user = _pool_and_user(ctx, params)
    user.enabled = True
    user.modified = ctx.now
    return {}


@operation("cognito-idp", "AdminSetUserPassword")
def admin_set_user_password(ctx: Context, params: Params) -> dict[str, Any]:
    """Permanent: CONFIRMED at once; otherwise a temporary password (FORCE_CHANGE_PASSWORD)."""
    pool, user = _pool_and_user(ctx, params)
    password = params["Password"]
    passwords.enforce_policy(pool.config, password)
    policy = pool.config.get("Policies", {}).get("PasswordPolicy", {})
    if int(policy.get("PasswordHistorySize") or 0) and directory.used_before(user, pool, password):
        raise PasswordHistoryPolicyViolationException(HISTORY_VIOLATION)
    directory.set_password(user, pool, password, ctx.now)
    user.status = "CONFIRMED" if params.get("Permanent") else "FORCE_CHANGE_PASSWORD"
    user.failed_attempts = 0
    user.modified = ctx.now
    return {}


def _recovery_channel(pool: UserPool, user: User) -> tuple[str, str] | None:
    """(attribute, value) the reset code goes to, or None.

    With AccountRecoverySetting: its verified_* mechanisms in priority order. Without it
    (legacy): a verified phone, then a verified e-mail, each only if the pool verifies that
    attribute (AutoVerifiedAttributes), as the AdminResetUserPassword reference words it.
    """
    attrs = user.attributes or {}
    mechanisms = (pool.config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms") or []
    names = {"verified_email": "email", "verified_phone_number": "phone_number"}
    if mechanisms:
        ordered = sorted(mechanisms, key=lambda m: m.get("Priority", 0))
        order = [names[m["Name"]] for m in ordered if m.get("Name") in names]
    else:
        auto = set(pool.config.get("AutoVerifiedAttributes") or [])
        order = [name for name in ("phone_number", "email") if name in auto]
    for name in order:
        if attrs.get(name) and attrs.get(f"{name}_verified") == "true":
            return name, attrs[name]
    return None


@operation("cognito-idp", "AdminResetUserPassword")
def admin_reset_user_password(ctx: Context, params: Params) -> dict[str, Any]:
    """RESET_REQUIRED, and a FORGOT_PASSWORD code to a verified e-mail/phone if there is one
    (without one the status changes all the same and no message is sent)."""
    pool, user = _pool_and_user(ctx, params)
    note_call(ctx, None, params.get("ClientMetadata"))
    if user.status == "FORCE_CHANGE_PASSWORD":
        raise NotAuthorizedException(CANNOT_RESET)
    user.status = "RESET_REQUIRED"
    user.modified = ctx.now
    channel = _recovery_channel(pool, user)
    if channel is not None:
        name, destination = channel
        code = codes.issue(ctx, user, "FORGOT_PASSWORD", codes.FORGOT_PASSWORD_TTL)
        medium = attributes.medium_of(name)
        message = templates.verification(pool, medium, code)
        outbox.send(ctx, pool_id=pool.id, username=user.username, kind="FORGOT_PASSWORD", medium=medium,
                    destination=destination, subject=message.subject, body=message.body, code=code)
    return {}


@operation("cognito-idp", "AdminUpdateUserAttributes")
def admin_update_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = _pool_and_user(ctx, params)
    note_call(ctx, None, params.get("ClientMetadata"))
    values = attributes.validate_update(pool, user, params["UserAttributes"], client=None)
    attributes.apply_update(ctx, pool, user, values)
    return {}


@operation("cognito-idp", "AdminDeleteUserAttributes")
def admin_delete_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = _pool_and_user(ctx, params)
    names = attributes.validate_delete(pool, params["UserAttributeNames"], client=None)
    attributes.apply_delete(ctx, pool, user, names)
    return {}
