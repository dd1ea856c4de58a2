"""Identity pool pages: pools, their identities, each identity's linked logins, and every set of
credentials vended with the role it resolved to.

Shown only when the identity-pool half is part of the build (``identity_pools_available``).
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request
from sqlalchemy import func, select

from emulator.console import calls, console, identity_pools_available
from emulator.errors import CognitoError

IDENTITY = "cognito-identity"
RECENT_CREDENTIALS = 50
USER_POOL_PROVIDER = "cognito-idp."


def _require() -> None:
    if not identity_pools_available():
        abort(404, description="This build of Cogito has no identity pools.")


def user_pool_link(provider: str, subject: str) -> tuple[str, str] | None:
    """(user pool id, sub) when a login is a user pool's: the console can link to that user."""
    if not provider.startswith(USER_POOL_PROVIDER) or "/" not in provider:
        return None
    return provider.rsplit("/", 1)[1], subject


@console.get("/identity-pools")
def identity_pool_list() -> str:
    _require()
    from emulator.identitypool.models import Identity, IdentityPool

    with calls.read() as reader:
        found = list(reader.db.scalars(select(IdentityPool).order_by(IdentityPool.region, IdentityPool.created)))
        counts = dict(reader.db.execute(select(Identity.pool_id, func.count()).group_by(Identity.pool_id)).all())
        return render_template("console/identity_pools.html", rows=[
            {"pool": p, "identities": counts.get(p.id, 0)} for p in found])


def _logins(reader: calls.Reader, identity_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    from emulator.identitypool.models import IdentityLogin

    found: dict[str, list[dict[str, Any]]] = {}
    if not identity_ids:
        return found
    rows = reader.db.scalars(select(IdentityLogin).where(IdentityLogin.identity_id.in_(identity_ids))
                             .order_by(IdentityLogin.created))
    for row in rows:
        found.setdefault(row.identity_id, []).append(
            {"provider": row.provider, "subject": row.subject, "created": row.created,
             "user": user_pool_link(row.provider, row.subject)})
    return found


def _credentials(reader: calls.Reader, **where: str) -> list[dict[str, Any]]:
    from emulator.identitypool import credentials
    from emulator.identitypool.models import VendedCredential

    query = select(VendedCredential)
    for column, value in where.items():
        query = query.where(getattr(VendedCredential, column) == value)
    rows = reader.db.scalars(query.order_by(VendedCredential.created.desc()).limit(RECENT_CREDENTIALS))
    st = calls.state()
    return [{**credentials.describe(r, st.settings.account_id, calls.now()), "Created": r.created} for r in rows]


@console.get("/identity-pools/<pool_id>")
def identity_pool_page(pool_id: str) -> str:
    _require()
    from emulator.identitypool import pools as identity_pools
    from emulator.identitypool.models import IdentityPool

    token = request.args.get("token") or None
    params: dict[str, Any] = {"IdentityPoolId": pool_id, "MaxResults": 60}
    if token:
        params["NextToken"] = token
    with calls.read() as reader:
        pool = reader.db.get(IdentityPool, pool_id)
        if pool is None:
            abort(404, description=f"IdentityPool '{pool_id}' not found.")
        try:
            page = reader.query("ListIdentities", params, service=IDENTITY)
        except CognitoError as err:
            page = {"Identities": [], "error": calls.error_text(err)}
        identities = page.get("Identities") or []
        return render_template(
            "console/identity_pool.html", pool=pool, doc=identity_pools.describe(pool), roles=pool.roles or {},
            mappings=pool.role_mappings or {}, identities=identities,
            logins=_logins(reader, [i["IdentityId"] for i in identities]), next_token=page.get("NextToken"),
            paged=bool(token), list_error=page.get("error"), credentials=_credentials(reader, identity_pool_id=pool.id),
        )


@console.get("/identity-pools/<pool_id>/identities/<identity_id>")
def identity_page(pool_id: str, identity_id: str) -> str:
    _require()
    from emulator.identitypool.models import Identity, IdentityPool

    with calls.read() as reader:
        pool = reader.db.get(IdentityPool, pool_id)
        found = reader.db.get(Identity, identity_id)
        if pool is None or found is None or found.pool_id != pool.id:
            abort(404, description=f"Identity '{identity_id}' not found.")
        return render_template(
            "console/identity.html", pool=pool, identity=found, logins=_logins(reader, [found.id]).get(found.id, []),
            credentials=_credentials(reader, identity_id=found.id),
        )
