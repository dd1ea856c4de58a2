"""User pool pages: every pool, one pool's settings, app clients and groups, one group's members."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from sqlalchemy import func, select

from emulator.console import calls, console
from emulator.errors import CognitoError
from emulator.jwks.models import SigningKey
from emulator.userpool import clients, groups, pools
from emulator.userpool.directory_models import Group, Membership, User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import AppClient, UserPool

MAX_LISTED = 1000  # groups or members shown on one page


def pool_or_404(reader: calls.Reader, pool_id: str) -> UserPool:
    try:
        return get_pool(reader.db, pool_id)
    except CognitoError as err:
        abort(404, description=err.message)


def all_pools(reader: calls.Reader) -> list[UserPool]:
    """Every pool of every region and account: a local console shows everything it holds."""
    return list(reader.db.scalars(select(UserPool).order_by(UserPool.region, UserPool.created, UserPool.id)))


@console.get("/pools")
def pool_list() -> str:
    with calls.read() as reader:
        found = all_pools(reader)
        counts = dict(reader.db.execute(select(User.pool_id, func.count()).group_by(User.pool_id)).all())
        client_counts = dict(reader.db.execute(select(AppClient.pool_id, func.count())
                                               .group_by(AppClient.pool_id)).all())
        rows = [{"pool": p, "users": counts.get(p.id, 0), "clients": client_counts.get(p.id, 0)} for p in found]
    return render_template("console/pools.html", rows=rows)


def _summary(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    """The settings a person looks for first, in plain words."""
    policy = (doc.get("Policies") or {}).get("PasswordPolicy") or {}
    needs = [label for key, label in (("RequireUppercase", "an upper-case letter"),
                                      ("RequireLowercase", "a lower-case letter"), ("RequireNumbers", "a digit"),
                                      ("RequireSymbols", "a symbol")) if policy.get(key)]
    sign_in = doc.get("UsernameAttributes") or []
    aliases = doc.get("AliasAttributes") or []
    return [
        ("Pool id", doc.get("Id")),
        ("ARN", doc.get("Arn")),
        ("Created", doc.get("CreationDate")),
        ("Estimated users", doc.get("EstimatedNumberOfUsers")),
        ("Users sign in with", ", ".join(sign_in) + " (as username)" if sign_in else
         "username" + (" or " + ", ".join(aliases) if aliases else "")),
        ("Username case-sensitive", (doc.get("UsernameConfiguration") or {}).get("CaseSensitive", True)),
        ("Auto-verified attributes", ", ".join(doc.get("AutoVerifiedAttributes") or []) or "none"),
        ("MFA", doc.get("MfaConfiguration", "OFF")),
        ("Password policy", f"at least {policy.get('MinimumLength', 8)} characters"
         + (", with " + ", ".join(needs) if needs else "")),
        ("Temporary password valid for", f"{policy.get('TemporaryPasswordValidityDays', 7)} days"),
        ("Deletion protection", doc.get("DeletionProtection", "INACTIVE")),
        ("Feature plan", doc.get("UserPoolTier", "ESSENTIALS")),
    ]


def _custom_attributes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in doc.get("SchemaAttributes") or [] if str(a.get("Name", "")).startswith(("custom:", "dev:"))]


def _signing_keys(reader: calls.Reader, pool_id: str) -> list[SigningKey]:
    """The pool's JWKS keys if made yet (they are made on the first token or JWKS fetch)."""
    return list(reader.db.scalars(select(SigningKey).where(SigningKey.pool_id == pool_id).order_by(SigningKey.use)))


def _group_rows(reader: calls.Reader, pool: UserPool) -> list[dict[str, Any]]:
    found = list(reader.db.scalars(select(Group).where(Group.pool_id == pool.id).order_by(Group.name)
                                   .limit(MAX_LISTED)))
    members = dict(reader.db.execute(
        select(Membership.group_id, func.count()).join(Group, Group.id == Membership.group_id)
        .where(Group.pool_id == pool.id).group_by(Membership.group_id)).all())
    return [{"group": groups.group_type(g), "members": members.get(g.id, 0)} for g in found]


@console.get("/pools/<pool_id>")
def pool_page(pool_id: str) -> str:
    with calls.read() as reader:
        pool = pool_or_404(reader, pool_id)
        doc = pools.describe(reader.ctx("DescribeUserPool"), pool)
        app_clients = [{"doc": clients.describe(c), "lives": clients.validity_seconds(c.config),
                        "flows": clients.auth_flows(c.config)} for c in reader.db.scalars(
            select(AppClient).where(AppClient.pool_id == pool.id).order_by(AppClient.created, AppClient.client_id))]
        return render_template(
            "console/pool.html", pool=pool, doc=doc, summary=_summary(doc), custom=_custom_attributes(doc),
            lambdas=doc.get("LambdaConfig") or {}, clients=app_clients, groups=_group_rows(reader, pool),
            keys=_signing_keys(reader, pool.id),
        )


@console.get("/pools/<pool_id>/groups/<path:name>")
def group_page(pool_id: str, name: str) -> str:
    with calls.read() as reader:
        pool = pool_or_404(reader, pool_id)
        try:
            group = groups.find_group(reader.db, pool, name)
        except CognitoError as err:
            abort(404, description=err.message)
        members = list(reader.db.scalars(
            select(User).join(Membership, Membership.user_id == User.id).where(Membership.group_id == group.id)
            .order_by(User.username_key).limit(MAX_LISTED)))
        return render_template("console/group.html", pool=pool, group=groups.group_type(group), members=members)
