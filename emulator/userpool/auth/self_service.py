"""What a signed-in user does with their own access token: read, change and delete their
profile, change their password, verify their e-mail or phone.

Every operation starts with ``access.authenticate`` (Cognito's token checks and wording,
reference §1). The app client is the token's ``client_id``: its ReadAttributes limit what
GetUser shows and its WriteAttributes what the user may change. Developer-only
attributes (``dev:custom:*``) are never shown to, nor written by, the user (AWS: they can
only be modified with administrator credentials; users report they are not readable
through the client APIs either).
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import InvalidParameterException, NotAuthorizedException, PasswordHistoryPolicyViolationException
from emulator.protocol.registry import operation
from emulator.userpool import attributes, codes, directory, passwords, usernames
from emulator.userpool.admin_users import HISTORY_VIOLATION, MFA_FIELDS
from emulator.userpool.auth import access
from emulator.userpool.auth.access import Caller
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient

Params = dict[str, Any]

WRONG_PASSWORD = "Incorrect username or password."
# Observed on AWS (reported in amplify-js#3652 and by emulator authors comparing with a real pool).
NOT_VERIFIABLE = "Invalid attribute name. Only phone_number and email can be verified."
NO_VALUE = {
    "email": "User does not have a valid registered email address",
    "phone_number": "User does not have a valid registered phone number",
}


def _caller_and_client(ctx: Context, token: str, *, read_only: bool = False) -> tuple[Caller, AppClient]:
    """The caller and the app client that issued the token.

    A token whose client was deleted is refused like any invalid token [U: AWS's answer
    for a deleted client is not documented].
    """
    caller = access.authenticate(ctx, token, read_only=read_only)
    client = caller.client  # the token's client_id, read with the pool
    if client is None or client.pool_id != caller.pool.id:
        raise NotAuthorizedException(access.INVALID)
    return caller, client


def readable_attributes(user: User, client: AppClient) -> list[dict[str, str]]:
    """The user's attributes the client may read: never ``dev:`` ones; ``sub`` always.

    Without ReadAttributes a client reads every (non developer-only) attribute.
    """
    allowed = client.config.get("ReadAttributes") or None
    shown = []
    for item in directory.attribute_list(user):
        name = item["Name"]
        if name.startswith("dev:"):
            continue
        if allowed is not None and name != "sub" and name not in allowed:
            continue
        shown.append(item)
    return shown


@operation("cognito-idp", "GetUser", readonly=True)
def get_user(ctx: Context, params: Params) -> dict[str, Any]:
    caller, client = _caller_and_client(ctx, params["AccessToken"], read_only=True)
    user = caller.user
    result: dict[str, Any] = {"Username": user.username, "UserAttributes": readable_attributes(user, client)}
    mfa = user.mfa or {}
    for key in MFA_FIELDS:
        if mfa.get(key):
            result[key] = mfa[key]
    return result


@operation("cognito-idp", "UpdateUserAttributes")
def update_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    """Change the caller's attributes within the client's WriteAttributes.

    ``email_verified`` / ``phone_number_verified`` sent by the user are ignored: only a
    code (VerifyUserAttribute) or an administrator marks a value verified. A user who sent
    them saw the call succeed with no effect (amplify-js#6100) [U: newer AWS may refuse].
    """
    caller, client = _caller_and_client(ctx, params["AccessToken"])
    wanted = [a for a in params["UserAttributes"] if a.get("Name") not in attributes.VERIFIED_FLAGS]
    values = attributes.validate_update(caller.pool, caller.user, wanted, client=client)
    sent = attributes.apply_update(ctx, caller.pool, caller.user, values)
    return {"CodeDeliveryDetailsList": sent} if sent else {}


@operation("cognito-idp", "DeleteUserAttributes")
def delete_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    caller, client = _caller_and_client(ctx, params["AccessToken"])
    names = attributes.validate_delete(caller.pool, params["UserAttributeNames"], client=client)
    attributes.apply_delete(ctx, caller.pool, caller.user, names)
    return {}


@operation("cognito-idp", "DeleteUser")
def delete_user(ctx: Context, params: Params) -> dict[str, Any]:
    """The user is gone; their refresh tokens go with them (foreign-key cascade), and any
    access token left answers UserNotFoundException."""
    caller = access.authenticate(ctx, params["AccessToken"])
    usernames.drop_aliases(ctx, caller.pool, caller.user)
    ctx.db.delete(caller.user)
    ctx.db.flush()
    return {}


@operation("cognito-idp", "ChangePassword")
def change_password(ctx: Context, params: Params) -> dict[str, Any]:
    """New password after the old one: policy, then the previous password, then history.

    PreviousPassword may be omitted only by a user who has no password (passwordless
    sign-in, as the API documents); otherwise a missing one is a wrong one [U].
    """
    caller = access.authenticate(ctx, params["AccessToken"])
    pool, user = caller.pool, caller.user
    proposed = params["ProposedPassword"]
    passwords.enforce_policy(pool.config, proposed, passwords.DEFAULT_PHRASE)
    previous = params.get("PreviousPassword")
    if user.password_verifier and (previous is None or not directory.password_matches(user, pool, previous)):
        raise NotAuthorizedException(WRONG_PASSWORD)
    history = int((pool.config.get("Policies") or {}).get("PasswordPolicy", {}).get("PasswordHistorySize") or 0)
    if history and user.password_verifier and directory.used_before(user, pool, proposed):
        raise PasswordHistoryPolicyViolationException(HISTORY_VIOLATION)
    directory.set_password(user, pool, proposed, ctx.now)
    user.failed_attempts = 0
    user.modified = ctx.now
    return {}


def _verifiable(name: str) -> None:
    if name not in attributes.VERIFIED_FLAGS.values():
        raise InvalidParameterException(NOT_VERIFIABLE)


@operation("cognito-idp", "GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(ctx: Context, params: Params) -> dict[str, Any]:
    """A code to the value awaiting verification (AttributesRequireVerificationBeforeUpdate)
    or else the current one; a value already verified may be verified again (observed)."""
    caller = access.authenticate(ctx, params["AccessToken"])
    name = params["AttributeName"]
    _verifiable(name)
    user = caller.user
    value = attributes.pending_value(ctx, user, name) or (user.attributes or {}).get(name)
    if not value:
        raise InvalidParameterException(NO_VALUE[name])
    return {"CodeDeliveryDetails": attributes.send_attribute_code(ctx, caller.pool, user, name, value)}


@operation("cognito-idp", "VerifyUserAttribute")
def verify_user_attribute(ctx: Context, params: Params) -> dict[str, Any]:
    """Spend the code: the pending value (if any) takes effect, the flag becomes "true",
    and the verified value becomes a sign-in alias where the pool has one."""
    caller = access.authenticate(ctx, params["AccessToken"])
    name = params["AttributeName"]
    _verifiable(name)
    user = caller.user
    if not (attributes.pending_value(ctx, user, name) or (user.attributes or {}).get(name)):
        raise InvalidParameterException(NO_VALUE[name])
    codes.consume(ctx, user, f"VERIFY:{name}", params["Code"])
    attributes.confirm_attribute(ctx, caller.pool, user, name)
    return {}
