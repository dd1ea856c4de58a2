"""App clients: Create/Describe/Update/Delete/ListUserPoolClients.

The settings rules and defaults live in ``client_config``; this module stores clients,
keeps their ids and secrets, and shapes the UserPoolClientType Describe returns. Other
parts of the emulator read a client's effective settings through ``auth_flows``,
``prevent_user_existence_errors`` and ``validity_seconds`` (re-exported below).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from emulator import ids, paging
from emulator.context import Context
from emulator.errors import InvalidParameterException, LimitExceededException
from emulator.protocol.registry import operation
from emulator.userpool import client_config
from emulator.userpool.client_config import auth_flows, prevent_user_existence_errors, validity_seconds
from emulator.userpool.lookup import get_client, get_pool
from emulator.userpool.models import AppClient, UserPool

__all__ = ["auth_flows", "prevent_user_existence_errors", "validity_seconds", "describe"]

Params = dict[str, Any]
MAX_CLIENTS_PER_POOL = 1000
DEFAULT_PAGE_SIZE = 60


def describe(client: AppClient) -> dict[str, Any]:
    """The UserPoolClientType document, members in AWS's order."""
    doc: dict[str, Any] = {"UserPoolId": client.pool_id, "ClientName": client.name, "ClientId": client.client_id}
    if client.secret is not None:
        doc["ClientSecret"] = client.secret
    doc["LastModifiedDate"] = client.modified
    doc["CreationDate"] = client.created
    config = client.config or {}
    for key in client_config.ORDER:
        if key in config:
            doc[key] = config[key]
    doc["ClientType"] = "REGULAR"
    return doc


def _schema(pool: UserPool) -> list[dict[str, Any]]:
    return list(pool.config.get("SchemaAttributes") or [])


def _count(ctx: Context, pool_id: str) -> int:
    query = select(func.count()).select_from(AppClient).where(AppClient.pool_id == pool_id)
    return ctx.db.scalar(query) or 0


def _new_secret(params: Params) -> str | None:
    """The secret a new client gets: generated, given (the model allows it), or none."""
    given = params.get("ClientSecret")
    if params.get("GenerateSecret") and given is not None:
        raise InvalidParameterException("You cannot specify both GenerateSecret as true and a ClientSecret value.")
    if given is not None:
        return str(given)
    if params.get("GenerateSecret"):
        return ids.client_secret()
    return None


def _new_client_id(ctx: Context) -> str:
    """A fresh 26-character id (a collision is astronomically unlikely, but checked)."""
    while True:
        candidate = ids.client_id()
        if ctx.db.get(AppClient, candidate) is None:
            return candidate


@operation("cognito-idp", "CreateUserPoolClient")
def create_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    if _count(ctx, pool.id) >= MAX_CLIENTS_PER_POOL:
        raise LimitExceededException(
            f"The user pool {pool.id} has reached its limit of {MAX_CLIENTS_PER_POOL} app clients."
        )
    secret = _new_secret(params)
    config = client_config.build_config(params, region=pool.region, account_id=ctx.account_id)
    client_config.check(ctx.db, pool.id, _schema(pool), config, has_secret=secret is not None)
    client = AppClient(
        client_id=_new_client_id(ctx), pool_id=pool.id, name=params["ClientName"], secret=secret,
        created=ctx.now, modified=ctx.now, config=config,
    )
    ctx.db.add(client)
    ctx.db.flush()
    return {"UserPoolClient": describe(client)}


@operation("cognito-idp", "DescribeUserPoolClient", readonly=True)
def describe_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    return {"UserPoolClient": describe(get_client(ctx.db, params["UserPoolId"], params["ClientId"]))}


@operation("cognito-idp", "UpdateUserPoolClient")
def update_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    """Every setting the request leaves out goes back to its default, as AWS documents; name and secret stay."""
    client = get_client(ctx.db, params["UserPoolId"], params["ClientId"])
    pool = get_pool(ctx.db, client.pool_id)
    config = client_config.build_config(params, region=pool.region, account_id=ctx.account_id)
    client_config.check(ctx.db, pool.id, _schema(pool), config, has_secret=client.secret is not None)
    client.config = config
    if "ClientName" in params:
        client.name = params["ClientName"]
    client.modified = ctx.now
    ctx.db.flush()
    return {"UserPoolClient": describe(client)}


@operation("cognito-idp", "DeleteUserPoolClient")
def delete_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    ctx.db.delete(get_client(ctx.db, params["UserPoolId"], params["ClientId"]))
    return {}


@operation("cognito-idp", "ListUserPoolClients", readonly=True)
def list_user_pool_clients(ctx: Context, params: Params) -> dict[str, Any]:
    """Keyset pages ordered by client id, so a chain of pages never repeats a client.

    Every client made through this API is a REGULAR one: the DCR filter finds none.
    """
    pool = get_pool(ctx.db, params["UserPoolId"])
    after = paging.decode(params.get("NextToken"))
    if after is not None and not isinstance(after, str):
        raise InvalidParameterException("Invalid pagination token.")
    limit = params.get("MaxResults") or DEFAULT_PAGE_SIZE
    if params.get("ClientType") == "DCR":
        return {"UserPoolClients": []}
    query = select(AppClient).where(AppClient.pool_id == pool.id)
    if after is not None:
        query = query.where(AppClient.client_id > after)
    rows = list(ctx.db.scalars(query.order_by(AppClient.client_id).limit(limit + 1)))
    page = rows[:limit]
    result: dict[str, Any] = {
        "UserPoolClients": [
            {"ClientId": c.client_id, "UserPoolId": c.pool_id, "ClientName": c.name} for c in page
        ]
    }
    if len(rows) > limit:
        result["NextToken"] = paging.encode(page[-1].client_id)
    return result
