"""PreAuthentication, PostAuthentication and UserMigration.

- PreAuthentication (``PreAuthentication_Authentication``) runs when a sign-in starts,
  before the password is checked (a refusal wins over a wrong password). With
  PreventUserExistenceErrors ENABLED it also runs for unknown users, with ``userNotFound``.
  InitiateAuth's ClientMetadata arrives as ``validationData`` and ``clientMetadata``.
- PostAuthentication (``PostAuthentication_Authentication``) runs when a sign-in is about
  to get its tokens (every flow, not refreshes); a throw refuses the sign-in.
- UserMigration (``UserMigration_Authentication`` on a password sign-in,
  ``UserMigration_ForgotPassword`` on ForgotPassword) runs for a username the pool does
  not know. The user it returns is created (attributes, ``finalUserStatus``, the sign-in's
  password) and kept, and the operation goes on with it (a RESET_REQUIRED user is then
  told to reset the password, and ForgotPassword sends the code).
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import InvalidLambdaResponseException, UserNotFoundException
from emulator.triggers import events, invoke
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

PRE_AUTHENTICATION = "PreAuthentication_Authentication"
POST_AUTHENTICATION = "PostAuthentication_Authentication"
MIGRATE_AUTHENTICATION = "UserMigration_Authentication"
MIGRATE_FORGOT_PASSWORD = "UserMigration_ForgotPassword"
FINAL_STATUSES = frozenset({"CONFIRMED", "RESET_REQUIRED"})
MESSAGE_ACTIONS = frozenset({"RESEND", "SUPPRESS"})
_PRE_AUTH_DONE = "_cogito_pre_authentication_done"


def _hides(client: AppClient) -> bool:
    from emulator.userpool.client_config import prevent_user_existence_errors

    return prevent_user_existence_errors(client.config or {}) == "ENABLED"


def pre_authentication(ctx: Context, pool: UserPool, client: AppClient, user: User | None, username: str) -> None:
    """Let the function refuse the sign-in (``user`` is None for an unknown, hidden user); once per request."""
    if events.function_arn(pool, "PreAuthentication") is None or vars(ctx).get(_PRE_AUTH_DONE):
        return
    vars(ctx)[_PRE_AUTH_DONE] = True
    metadata = events.call_of(ctx).client_metadata
    request: dict[str, Any] = {"userAttributes": events.user_attributes(pool, user), "validationData": metadata}
    if _hides(client):
        request["userNotFound"] = user is None
    events.with_metadata(request, metadata)
    events.run(ctx, pool, "PreAuthentication", PRE_AUTHENTICATION, user_name=user.username if user else username,
               client_id=client.client_id, request=request, response={})


def post_authentication(ctx: Context, pool: UserPool, client: AppClient, user: User, *,
                        new_device_used: bool = False) -> None:
    if events.function_arn(pool, "PostAuthentication") is None:
        return
    request = {"userAttributes": events.user_attributes(pool, user), "newDeviceUsed": new_device_used}
    events.with_metadata(request, events.metadata_after_initiate(ctx))
    events.run(ctx, pool, "PostAuthentication", POST_AUTHENTICATION, user_name=user.username,
               client_id=client.client_id, request=request, response={})


def user_migration(ctx: Context, pool: UserPool, client: AppClient, username: str, password: str | None,
                   trigger_source: str) -> User | None:
    """The migrated user, created; None when the pool has no UserMigration trigger."""
    if events.function_arn(pool, "UserMigration") is None:
        return None
    metadata = events.call_of(ctx).client_metadata
    request: dict[str, Any] = {}
    if password is not None:
        request["password"] = password
    if trigger_source == MIGRATE_AUTHENTICATION:
        request["validationData"] = metadata
    events.with_metadata(request, metadata)
    response = events.run(
        ctx, pool, "UserMigration", trigger_source, user_name=username, client_id=client.client_id, request=request,
        response={"userAttributes": None, "forceAliasCreation": None, "enableSMSMFA": None, "finalUserStatus": None,
                  "messageAction": None, "desiredDeliveryMediums": None},
    )
    attributes = events.string_map(response.get("userAttributes"))
    if not attributes:
        # [U] the wording clients report when a migration produced no user.
        raise UserNotFoundException(f"Exception migrating user in app client {client.client_id}")
    status = events.optional_text(response, "finalUserStatus")
    action = events.optional_text(response, "messageAction")
    if (status is not None and status not in FINAL_STATUSES) or (action is not None and action not in MESSAGE_ACTIONS):
        raise InvalidLambdaResponseException(invoke.UNRECOGNIZABLE)
    if status is None:
        status = "CONFIRMED" if trigger_source == MIGRATE_AUTHENTICATION else "RESET_REQUIRED"
    return _create(ctx, pool, username, attributes, status, password,
                   force_alias=events.boolean(response, "forceAliasCreation"))


def _create(ctx: Context, pool: UserPool, username: str, attributes: dict[str, str], status: str,
            password: str | None, *, force_alias: bool) -> User:
    from emulator.userpool import attributes as attribute_rules
    from emulator.userpool import usernames

    values = attribute_rules.validate_new(pool, [{"Name": k, "Value": v} for k, v in attributes.items()
                                                 if k != "sub"], client=None)
    user = usernames.create_user(ctx, pool, username, values, status=status, password=password,
                                 force_alias=force_alias, operation="AdminCreateUser")
    ctx.db.commit()  # the user now exists, whatever happens to the rest of this sign-in (RESET_REQUIRED)
    return user
