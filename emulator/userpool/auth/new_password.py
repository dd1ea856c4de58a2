"""The NEW_PASSWORD_REQUIRED challenge: a first sign-in replaces the temporary password.

The response carries NEW_PASSWORD and may set attributes as ``userAttributes.<name>``;
the pool's required attributes must all be present afterwards.
"""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.triggers.events import note_token_source
from emulator.triggers.pre_token import NEW_PASSWORD_CHALLENGE
from emulator.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpool import attributes, directory, passwords
from emulator.userpool.auth import gate, outcome, sessions
from emulator.userpool.directory_models import User
from emulator.userpool.models import AppClient, UserPool

PREFIX = "userAttributes."


def apply(ctx: Context, pool: UserPool, client: AppClient, user: User, new_password: str,
          given: dict[str, str]) -> None:
    """Set the new password and the given attributes; the user becomes CONFIRMED.

    Shared by RespondToAuthChallenge and the Hosted UI's new-password page.
    """
    changes = [{"Name": name, "Value": value} for name, value in given.items()]
    values = (attributes.validate_update(pool, user, changes, client=client, allow_unset_immutable=True)
              if changes else {})
    merged = {**(user.attributes or {}), **{k: v for k, v in values.items() if v}}
    missing = [name for name in attributes.required_names(pool) if not merged.get(name)]
    if missing:  # observed: "name is missing", "name and address is missing"
        raise InvalidParameterException(f"Invalid attributes given, {' and '.join(missing)} is missing")
    passwords.enforce_policy(pool.config, new_password)
    if values:
        attributes.apply_update(ctx, pool, user, values)
    directory.set_password(user, pool, new_password, ctx.now)
    user.status = "CONFIRMED"
    user.modified = ctx.now


def respond(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, Any],
            session_text: str | None) -> dict[str, Any]:
    username, new_password = gate.require(responses, "USERNAME", "NEW_PASSWORD")
    row = sessions.take(ctx, client, session_text, outcome.NEW_PASSWORD_REQUIRED)
    user = ctx.db.get(User, row.user_id) if row.user_id else None
    if user is None:
        raise NotAuthorizedException(sessions.INVALID)
    gate.check_secret(client, responses.get("SECRET_HASH"), username, user)
    if directory.find_user(ctx.db, pool, username) is not user:
        raise NotAuthorizedException(sessions.INVALID)
    given = {k[len(PREFIX):]: v for k, v in responses.items() if k.startswith(PREFIX)}
    apply(ctx, pool, client, user, new_password, given)
    note_token_source(ctx, NEW_PASSWORD_CHALLENGE)
    from emulator.userpool.auth import mfa  # the new password is the first factor: MFA may follow

    return mfa.after_first_factor(ctx, pool, client, user, (row.state or {}).get("device_key"))
