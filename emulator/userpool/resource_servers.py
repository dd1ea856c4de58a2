"""Resource servers: Create/Describe/Update/Delete/ListResourceServers.

A resource server defines custom scopes; an app client may then allow
``{Identifier}/{ScopeName}`` in AllowedOAuthScopes (``client_config.custom_scopes`` reads
them here) and OAuth sign-ins and client_credentials grants put them in access tokens.
At most 25 per pool and 100 scopes each (the model bounds the list). Deleting a server
leaves clients that name its scopes alone (AWS does the same); the scopes simply stop
being granted.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emulator import paging
from emulator.context import Context
from emulator.errors import InvalidParameterException, LimitExceededException, ResourceNotFoundException
from emulator.hostedui.models import ResourceServer
from emulator.protocol.registry import operation
from emulator.userpool.lookup import get_pool

Params = dict[str, Any]
MAX_PER_POOL = 25
DEFAULT_PAGE = 50  # [U] the model's maximum; AWS does not document a default


def defined_scopes(db: Session, pool_id: str) -> frozenset[str]:
    """Every ``{identifier}/{scopeName}`` the pool's resource servers define."""
    rows = db.scalars(select(ResourceServer).where(ResourceServer.pool_id == pool_id))
    return frozenset(f"{row.identifier}/{scope['ScopeName']}" for row in rows for scope in row.scopes or ())


def describe(row: ResourceServer) -> dict[str, Any]:
    return {"UserPoolId": row.pool_id, "Identifier": row.identifier, "Name": row.name,
            "Scopes": copy.deepcopy(row.scopes or [])}


def _scopes(params: Params) -> list[dict[str, str]]:
    """The scopes as given; a name twice is refused [U wording]."""
    scopes = [{"ScopeName": s["ScopeName"], "ScopeDescription": s["ScopeDescription"]}
              for s in params.get("Scopes") or []]
    names = [s["ScopeName"] for s in scopes]
    for name in names:
        if names.count(name) > 1:
            raise InvalidParameterException(f"Duplicate scope name {name} in the resource server.")
    return scopes


def _get(ctx: Context, pool_id: str, identifier: str) -> ResourceServer:
    get_pool(ctx.db, pool_id)
    row = ctx.db.get(ResourceServer, (pool_id, identifier))
    if row is None:
        # [U] wording.
        raise ResourceNotFoundException(f"Resource server {identifier} does not exist in user pool {pool_id}.")
    return row


@operation("cognito-idp", "CreateResourceServer")
def create_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    identifier = params["Identifier"]
    scopes = _scopes(params)
    count = ctx.db.scalar(select(func.count()).select_from(ResourceServer).where(ResourceServer.pool_id == pool.id))
    if ctx.db.get(ResourceServer, (pool.id, identifier)) is not None:
        raise InvalidParameterException(f"{identifier} already exists in user pool {pool.id}.")  # [U] wording
    if (count or 0) >= MAX_PER_POOL:
        raise LimitExceededException(
            f"The user pool {pool.id} has reached its limit of {MAX_PER_POOL} resource servers."
        )
    row = ResourceServer(pool_id=pool.id, identifier=identifier, name=params["Name"], scopes=scopes, created=ctx.now)
    try:
        with ctx.db.begin_nested():
            ctx.db.add(row)
            ctx.db.flush()
    except IntegrityError:  # a concurrent create of the same identifier won
        raise InvalidParameterException(f"{identifier} already exists in user pool {pool.id}.") from None
    return {"ResourceServer": describe(row)}


@operation("cognito-idp", "DescribeResourceServer", readonly=True)
def describe_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    return {"ResourceServer": describe(_get(ctx, params["UserPoolId"], params["Identifier"]))}


@operation("cognito-idp", "UpdateResourceServer")
def update_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    """Name and scopes; scopes left out become none (AWS: omitted values take their defaults)."""
    row = _get(ctx, params["UserPoolId"], params["Identifier"])
    row.scopes = _scopes(params)
    row.name = params["Name"]
    return {"ResourceServer": describe(row)}


@operation("cognito-idp", "DeleteResourceServer")
def delete_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    ctx.db.delete(_get(ctx, params["UserPoolId"], params["Identifier"]))
    return {}


@operation("cognito-idp", "ListResourceServers", readonly=True)
def list_resource_servers(ctx: Context, params: Params) -> dict[str, Any]:
    """Keyset pages ordered by identifier."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    after = paging.decode(params.get("NextToken"))
    if after is not None and not isinstance(after, str):
        raise InvalidParameterException("Invalid pagination token.")
    limit = params.get("MaxResults") or DEFAULT_PAGE
    query = select(ResourceServer).where(ResourceServer.pool_id == pool.id)
    if after is not None:
        query = query.where(ResourceServer.identifier > after)
    rows = list(ctx.db.scalars(query.order_by(ResourceServer.identifier).limit(limit + 1)))
    page = rows[:limit]
    result: dict[str, Any] = {"ResourceServers": [describe(row) for row in page]}
    if len(rows) > limit:
        result["NextToken"] = paging.encode(page[-1].identifier)
    return result
