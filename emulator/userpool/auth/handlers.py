"""InitiateAuth, RespondToAuthChallenge (and Admin twins), GetTokensFromRefreshToken."""

from __future__ import annotations

from typing import Any

from emulator.context import Context
from emulator.errors import ResourceNotFoundException
from emulator.protocol.registry import operation
from emulator.userpool.auth import flows, reads, refresh
from emulator.userpool.lookup import get_client, get_pool
from emulator.userpool.models import AppClient, UserPool


def public_client(ctx: Context, client_id: str) -> tuple[AppClient, UserPool]:
    """What secret_hash.public_client answers, in a single query (read-only snapshots: auth.reads)."""
    found = reads.client_and_pool(ctx.db, client_id)
    if found is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return found


@operation("cognito-idp", "InitiateAuth")
def initiate_auth(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    client, pool = public_client(ctx, params["ClientId"])
    return flows.initiate(ctx, pool, client, params, admin=False)


@operation("cognito-idp", "AdminInitiateAuth")
def admin_initiate_auth(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    client = get_client(ctx.db, pool.id, params["ClientId"])
    return flows.initiate(ctx, pool, client, params, admin=True)


@operation("cognito-idp", "RespondToAuthChallenge")
def respond_to_auth_challenge(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    client, pool = public_client(ctx, params["ClientId"])
    return flows.respond(ctx, pool, client, params)


@operation("cognito-idp", "AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    client = get_client(ctx.db, pool.id, params["ClientId"])
    return flows.respond(ctx, pool, client, params)


@operation("cognito-idp", "GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    client, pool = public_client(ctx, params["ClientId"])
    return refresh.get_tokens(ctx, pool, client, params)
