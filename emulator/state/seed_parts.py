"""How each kind of seed entry is applied (see emulator/seed.py for the format and the rules).

Each function creates what is missing and updates what exists, through the helpers and
handlers the API itself uses; updates that change nothing leave timestamps alone.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from emulator.errors import CognitoError, ResourceNotFoundException

if TYPE_CHECKING:
    from emulator.seed import Seeder
    from emulator.userpool.models import UserPool

Params = dict[str, Any]
IDP = "cognito-idp"


# --- user pools -------------------------------------------------------------------------

def _lambda_config(seeder: "Seeder", entry: Params, region: str, where: str) -> Params | None:
    """LambdaConfig with the ``Triggers`` shorthand merged in: trigger -> ARN or bare function name."""
    from emulator.seed import SeedError

    triggers = entry.get("Triggers")
    config = copy.deepcopy(entry.get("LambdaConfig"))
    if triggers is None:
        return config
    spec_members = set(trigger_names())
    if not isinstance(triggers, dict):
        raise SeedError(f"{where}.Triggers: a mapping of trigger name -> Lambda ARN or function name.")
    config = dict(config or {})
    for name, target in triggers.items():
        if name not in spec_members:
            raise SeedError(f"{where}.Triggers: unknown trigger {name!r} (known: {', '.join(sorted(spec_members))}; "
                            "PreTokenGenerationConfig, CustomSMSSender and CustomEmailSender go in LambdaConfig).")
        if not isinstance(target, str) or not target:
            raise SeedError(f"{where}.Triggers.{name}: a Lambda ARN or function name.")
        arn = target if target.startswith("arn:") else \
            f"arn:aws:lambda:{region}:{seeder.settings.account_id}:function:{target}"
        config[name] = arn
    return config


def trigger_names() -> list[str]:
    """The LambdaConfig triggers that take a plain function ARN (PreSignUp, PreTokenGeneration, ...)."""
    return sorted(n for n, kind in seeder_spec_members("LambdaConfigType").items() if kind == "string"
                  and n != "KMSKeyID")


def seeder_spec_members(shape: str) -> dict[str, str]:
    """Member name -> type of a cognito-idp model shape."""
    from emulator.protocol import specs

    spec = specs.get_spec(IDP)
    return {name: spec.shapes[ref["shape"]]["type"] for name, ref in spec.shapes[shape]["members"].items()}


def seed_user_pool(seeder: "Seeder", entry: Params, where: str) -> None:
    from emulator.seed import POOL_EXTRAS, SeedError, region_of_pool
    from emulator.userpool import pool_config, schema
    from emulator.userpool.models import UserPool

    create_members = seeder.members(IDP, "CreateUserPool")
    seeder.only(entry, create_members | set(POOL_EXTRAS), where)
    pool_id = entry.get("Id")
    if not isinstance(pool_id, str):
        raise SeedError(f"{where}: every pool needs its Id, e.g. Id: eu-west-1_Example01.")
    seeder.check(IDP, "DescribeUserPool", {"UserPoolId": pool_id}, f"{where}.Id")
    region = region_of_pool(pool_id, seeder.default_region)
    params = {k: copy.deepcopy(v) for k, v in entry.items() if k in create_members}
    lambda_config = _lambda_config(seeder, entry, region, where)
    if lambda_config is not None:
        params["LambdaConfig"] = lambda_config
    seeder.check(IDP, "CreateUserPool", params, where)
    pool = seeder.db.get(UserPool, pool_id)
    created = pool is None
    with seeder.at(where):
        if pool is None:
            pool_config.check_sign_in_attributes(params)
            source = {k: params[k] for k in ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
                      if k in params}
            source["SchemaAttributes"] = schema.build_schema(params.get("Schema"))
            config = pool_config.build_config({**params, **source}, None, region)
            pool = UserPool(id=pool_id, account_id=seeder.settings.account_id, region=region,
                            name=params["PoolName"], created=seeder.now, modified=seeder.now, config=config,
                            tags=dict(params.get("UserPoolTags") or {}))
            seeder.db.add(pool)
            seeder.db.flush()
            changed = True
        else:
            changed = _update_pool(seeder, pool, params, region, where)
    seeder.note(created, changed, f"UserPool {pool_id}")
    for sub_where, server in seeder.entries(entry, "ResourceServers", f"{where}."):
        seed_resource_server(seeder, pool, server, sub_where)
    for sub_where, client in seeder.entries(entry, "Clients", f"{where}."):
        seed_client(seeder, pool, client, sub_where)
    for sub_where, group in seeder.entries(entry, "Groups", f"{where}."):
        seed_group(seeder, pool, group, sub_where)
    from emulator.state.seed_users import seed_user

    for sub_where, user in seeder.entries(entry, "Users", f"{where}."):
        seed_user(seeder, pool, user, sub_where)


def _update_pool(seeder: "Seeder", pool: "UserPool", params: Params, region: str, where: str) -> bool:
    """UpdateUserPool with the seed's settings; custom attributes the pool lacks are added."""
    from emulator.userpool import schema

    update = {k: v for k, v in params.items() if k in seeder.members(IDP, "UpdateUserPool")}
    update["UserPoolId"] = pool.id
    changed = seeder.quietly(pool, lambda: seeder.call(IDP, "UpdateUserPool", update, region, where))
    wanted = schema.build_schema(params.get("Schema"))
    have = {a["Name"].removeprefix("dev:") for a in pool.config.get("SchemaAttributes") or []}
    missing = [a for a in wanted if a["Name"].removeprefix("dev:") not in have]
    if missing:
        given = {a.get("Name"): a for a in params.get("Schema") or []}
        plain = [given[a["Name"].split("custom:", 1)[1]] for a in missing if "custom:" in a["Name"]]
        if plain:
            seeder.call(IDP, "AddCustomAttributes", {"UserPoolId": pool.id, "CustomAttributes": plain}, region, where)
            changed = True
    return changed


# --- clients, groups, resource servers --------------------------------------------------

def seed_client(seeder: "Seeder", pool: "UserPool", entry: Params, where: str) -> None:
    from emulator.seed import SeedError
    from emulator.userpool import client_config, clients
    from emulator.userpool.models import AppClient

    create_members = seeder.members(IDP, "CreateUserPoolClient") - {"UserPoolId"}
    seeder.only(entry, create_members | {"ClientId"}, where)
    params = {k: copy.deepcopy(v) for k, v in entry.items() if k in create_members}
    params["UserPoolId"] = pool.id
    seeder.check(IDP, "CreateUserPoolClient", params, where)
    client_id = entry.get("ClientId")
    if client_id is not None:
        seeder.check(IDP, "DescribeUserPoolClient", {"UserPoolId": pool.id, "ClientId": client_id}, f"{where}.ClientId")
        client = seeder.db.get(AppClient, client_id)
        if client is not None and client.pool_id != pool.id:
            raise SeedError(f"{where}: client {client_id} already belongs to pool {client.pool_id}.")
    else:  # no fixed id: the pool's client of that name, so a second application finds it again
        client = seeder.db.scalar(select(AppClient).where(AppClient.pool_id == pool.id,
                                                           AppClient.name == params["ClientName"])
                                  .order_by(AppClient.created, AppClient.client_id).limit(1))
    created = client is None
    schema_attrs = list(pool.config.get("SchemaAttributes") or [])
    ctx = seeder.ctx(IDP, "CreateUserPoolClient", pool.region)
    with seeder.at(where):
        if client is None:
            secret = clients._new_secret(params)
            config = client_config.build_config(params, region=pool.region, account_id=seeder.settings.account_id)
            client_config.check(seeder.db, pool.id, schema_attrs, config, has_secret=secret is not None)
            client = AppClient(client_id=client_id or clients._new_client_id(ctx), pool_id=pool.id,
                               name=params["ClientName"], secret=secret, created=seeder.now, modified=seeder.now,
                               config=config)
            seeder.db.add(client)
            seeder.db.flush()
            changed = True
        else:
            update = {k: v for k, v in params.items() if k in seeder.members(IDP, "UpdateUserPoolClient")}
            update["ClientId"] = client.client_id
            target = client
            changed = seeder.quietly(client, lambda: seeder.call(IDP, "UpdateUserPoolClient", update, pool.region,
                                                                 where))
            wanted_secret = params.get("ClientSecret")
            if wanted_secret is not None and target.secret != wanted_secret:
                target.secret, target.modified, changed = wanted_secret, seeder.now, True
            elif params.get("GenerateSecret") and target.secret is None:
                raise SeedError(f"{where}: client {target.client_id} exists without a secret; "
                                "Cognito cannot add one to an existing client.")
    seeder.note(created, changed, f"UserPoolClient {client.client_id}")


def seed_group(seeder: "Seeder", pool: "UserPool", entry: Params, where: str) -> None:
    from emulator.userpool.directory_models import Group

    allowed = seeder.members(IDP, "CreateGroup") - {"UserPoolId"}
    seeder.only(entry, allowed, where)
    params = {**copy.deepcopy(entry), "UserPoolId": pool.id}
    seeder.check(IDP, "CreateGroup", params, where)
    group = seeder.db.scalar(select(Group).where(Group.pool_id == pool.id, Group.name == params["GroupName"]))
    if group is None:
        seeder.call(IDP, "CreateGroup", params, pool.region, where)
        seeder.note(True, True, f"Group {pool.id}/{params['GroupName']}")
        return
    changed = seeder.quietly(group, lambda: seeder.call(IDP, "UpdateGroup", params, pool.region, where))
    seeder.note(False, changed, f"Group {pool.id}/{params['GroupName']}")


def seed_resource_server(seeder: "Seeder", pool: "UserPool", entry: Params, where: str) -> None:
    """Through the resource-server handlers, when this Cogito has them."""
    from emulator.protocol import registry
    from emulator.seed import SeedError

    if registry.lookup(IDP, "CreateResourceServer") is None:
        raise SeedError(f"{where}: this Cogito does not implement resource servers yet (CreateResourceServer); "
                        "remove ResourceServers from the seed or upgrade.")
    allowed = seeder.members(IDP, "CreateResourceServer") - {"UserPoolId"}
    seeder.only(entry, allowed, where)
    params = {**copy.deepcopy(entry), "UserPoolId": pool.id}
    seeder.check(IDP, "CreateResourceServer", params, where)
    describe = registry.lookup(IDP, "DescribeResourceServer")
    current: Params | None = None
    if describe is not None:
        try:
            found = describe.handler(seeder.ctx(IDP, "DescribeResourceServer", pool.region),
                                     {"UserPoolId": pool.id, "Identifier": params["Identifier"]})
            current = (found or {}).get("ResourceServer")
        except ResourceNotFoundException:
            current = None
        except CognitoError as err:
            raise SeedError(f"{where}: {err.code}: {err.message}") from None
    label = f"ResourceServer {pool.id}/{params['Identifier']}"
    if current is None:
        seeder.call(IDP, "CreateResourceServer", params, pool.region, where)
        seeder.note(True, True, label)
        return

    def scopes(value: Any) -> list[tuple[str, str]]:
        return sorted((s.get("ScopeName", ""), s.get("ScopeDescription", "")) for s in value or [])

    if current.get("Name") != params["Name"] or scopes(current.get("Scopes")) != scopes(params.get("Scopes")):
        seeder.call(IDP, "UpdateResourceServer", params, pool.region, where)
        seeder.note(False, True, label)


# --- identity pools ---------------------------------------------------------------------

def seed_identity_pool(seeder: "Seeder", entry: Params, where: str) -> None:
    """Created as a bare row, then given its settings by UpdateIdentityPool (the API's own rules)."""
    from emulator.identitypool.models import IdentityPool
    from emulator.seed import IDENTITY_EXTRAS, SeedError

    service = "cognito-identity"
    create_members = seeder.members(service, "CreateIdentityPool")
    seeder.only(entry, create_members | set(IDENTITY_EXTRAS), where)
    pool_id = entry.get("IdentityPoolId")
    if not isinstance(pool_id, str):
        raise SeedError(f"{where}: every identity pool needs its IdentityPoolId, e.g. "
                        "eu-west-1:11111111-2222-3333-4444-555555555555.")
    seeder.check(service, "DescribeIdentityPool", {"IdentityPoolId": pool_id}, f"{where}.IdentityPoolId")
    region = pool_id.split(":", 1)[0]
    params = {k: copy.deepcopy(v) for k, v in entry.items() if k in create_members}
    params.setdefault("AllowUnauthenticatedIdentities", False)
    seeder.check(service, "CreateIdentityPool", params, where)
    row = seeder.db.get(IdentityPool, pool_id)
    created = row is None
    if row is None:
        row = IdentityPool(id=pool_id, account_id=seeder.settings.account_id, region=region,
                           name=params["IdentityPoolName"], created=seeder.now, modified=seeder.now, config={},
                           tags={}, roles={}, role_mappings={}, principal_tags={})
        seeder.db.add(row)
        seeder.db.flush()
    elif row.account_id != seeder.settings.account_id:
        raise SeedError(f"{where}: identity pool {pool_id} belongs to account {row.account_id}.")
    update = {**params, "IdentityPoolId": pool_id}
    changed = seeder.quietly(row, lambda: seeder.call(service, "UpdateIdentityPool", update, region, where))
    if "Roles" in entry or "RoleMappings" in entry:
        roles: Params = {"IdentityPoolId": pool_id, "Roles": copy.deepcopy(entry.get("Roles") or {})}
        if entry.get("RoleMappings") is not None:
            roles["RoleMappings"] = copy.deepcopy(entry["RoleMappings"])
        changed = seeder.quietly(
            row, lambda: seeder.call(service, "SetIdentityPoolRoles", roles, region, f"{where}.Roles")) or changed
    if created:
        row.modified = row.created
    seeder.note(created, changed, f"IdentityPool {pool_id}")
