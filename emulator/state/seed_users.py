"""Seeding users: attributes checked by the pool's schema, passwords kept only as SRP verifiers.

A user entry::

    Username: alice             # in an e-mail-username pool: the e-mail
    Password: Passw0rd!         # checked against the pool's policy; stored as salt + verifier
    Status: CONFIRMED           # or UNCONFIRMED, FORCE_CHANGE_PASSWORD (Password is then temporary), RESET_REQUIRED
    Enabled: true
    Sub: 7d5c...                # optional fixed sub (a UUID), only when the user is created
    Attributes: {email: alice@example.com, email_verified: true}
    Groups: [admins]            # added to these groups (never removed from others)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:
    from emulator.context import Context
    from emulator.seed import Seeder
    from emulator.userpool.directory_models import User
    from emulator.userpool.models import UserPool

Params = dict[str, Any]
IDP = "cognito-idp"


def seed_user(seeder: "Seeder", pool: "UserPool", entry: Params, where: str) -> None:
    from emulator.seed import USER_KEYS, USER_STATUSES, SeedError, attribute_list, is_uuid
    from emulator.userpool import attributes, directory, passwords, usernames

    seeder.only(entry, set(USER_KEYS), where)
    username = entry.get("Username")
    if not isinstance(username, str):
        raise SeedError(f"{where}: every user needs a Username.")
    seeder.check(IDP, "AdminGetUser", {"UserPoolId": pool.id, "Username": username}, f"{where}.Username")
    status = entry.get("Status", "CONFIRMED")
    if status not in USER_STATUSES:
        raise SeedError(f"{where}.Status: {status!r} is not one of {', '.join(USER_STATUSES)}.")
    password = entry.get("Password")
    if password is not None and not isinstance(password, str):
        raise SeedError(f"{where}.Password: a string (quote it in YAML).")
    enabled = entry.get("Enabled", True)
    if not isinstance(enabled, bool):
        raise SeedError(f"{where}.Enabled: true or false.")
    sub = entry.get("Sub")
    if sub is not None and not is_uuid(sub):
        raise SeedError(f"{where}.Sub: a lower-case UUID such as 7d5c3a52-0f3e-4c1a-9b8e-3f2d1c0b9a87.")
    groups = entry.get("Groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise SeedError(f"{where}.Groups: a list of group names.")
    attrs = attribute_list(entry.get("Attributes"), where)
    seeder.check(IDP, "AdminCreateUser", {"UserPoolId": pool.id, "Username": username, "UserAttributes": attrs},
                 where)
    ctx = seeder.ctx(IDP, "AdminCreateUser", pool.region)
    with seeder.at(where):
        values = attributes.validate_new(pool, attrs, client=None)
        user = directory.find_user(seeder.db, pool, username)
        created = user is None
        if user is None:
            if password is not None and seeder.password_policy:
                passwords.enforce_policy(pool.config, password)
            user = usernames.create_user(ctx, pool, username, values, status=status, password=None,
                                         operation="AdminCreateUser")
            if sub is not None:
                _fix_sub(ctx, pool, user, sub)
            if password is not None:
                directory.set_password(user, pool, password, seeder.now)
            user.enabled = enabled
            changed = True
        else:
            if sub is not None and user.sub != sub:
                raise SeedError(f"{where}.Sub: user {username} exists with sub {user.sub}; a sub cannot change.")
            changed = _update(ctx, pool, user, entry, values, password, policy=seeder.password_policy)
        for name in groups:
            seeder.call(IDP, "AdminAddUserToGroup",
                        {"UserPoolId": pool.id, "Username": user.username, "GroupName": name},
                        pool.region, f"{where}.Groups")
    seeder.note(created, changed, f"User {pool.id}/{username}")


def _update(ctx: "Context", pool: "UserPool", user: "User", entry: Params, values: dict[str, str],
            password: str | None, *, policy: bool) -> bool:
    """Bring an existing user to the entry's values; True when anything changed."""
    from emulator.userpool import directory, passwords, usernames

    changed = False
    current = user.attributes or {}
    diff: dict[str, str | None] = {k: v for k, v in values.items() if current.get(k) != v}
    if diff:
        directory.set_attributes(user, diff)
        usernames.sync_aliases(ctx, pool, user)
        changed = True
    if password is not None and not directory.password_matches(user, pool, password):
        if policy:
            passwords.enforce_policy(pool.config, password)
        directory.set_password(user, pool, password, ctx.now)
        changed = True
    if "Status" in entry and user.status != entry["Status"]:
        user.status = entry["Status"]
        changed = True
    if "Enabled" in entry and user.enabled != entry["Enabled"]:
        user.enabled = entry["Enabled"]
        changed = True
    if changed:
        user.modified = ctx.now
    return changed


def _fix_sub(ctx: "Context", pool: "UserPool", user: "User", sub: str) -> None:
    """Give a just-created user the seed's sub (and, in e-mail/phone-username pools, the username)."""
    from emulator.seed import SeedError
    from emulator.userpool import directory, usernames
    from emulator.userpool.directory_models import User

    taken = ctx.db.scalar(select(User.id).where(User.pool_id == pool.id, User.sub == sub, User.id != user.id))
    if taken is not None:
        raise SeedError(f"sub {sub} is already another user's in pool {pool.id}.")
    user.sub = sub
    if usernames.username_attributes(pool):
        user.username = sub
        user.username_key = directory.username_key(pool, sub)
    directory.set_attributes(user, {"sub": sub})
    ctx.db.flush()
