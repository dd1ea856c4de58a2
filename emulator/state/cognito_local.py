"""Moving from cognito-local: its data folder becomes a Cogito seed, then is applied as one.

cognito-local keeps (facts from its README and data files):
- ``.cognito/db/clients.json``: ``{"Clients": {clientId: {ClientId, ClientName, UserPoolId,
  ClientSecret?, ExplicitAuthFlows?, TokenValidityUnits?, ..., CreationDate, LastModifiedDate}}}``;
- ``.cognito/db/<poolId>.json``, one per pool: ``{"Options": {Id, Name?, Policies,
  SchemaAttributes, UsernameAttributes, LambdaConfig, MfaConfiguration, ...},
  "Users": {username: {Username, Password (plaintext), Attributes [{Name, Value}], Enabled,
  UserStatus, UserCreateDate, RefreshTokens, ...}}, "Groups": {name: {GroupName,
  Description?, Precedence?, RoleArn?, members?: [username]}}}``;
- ``.cognito/config.json``: ``TriggerFunctions`` (trigger -> function name, for every pool),
  ``LambdaClient``, ``TokenConfig`` {IssuerDomain, Region}, ``UserPoolDefaults``, ...

Passwords become SRP verifiers like any seeded password (the plaintext is not kept); subs
are kept, so tokens' ``sub`` stays the same. What cannot be carried over is listed in the
notes: refresh tokens and pending codes (users sign in again), global settings that are
Cogito command-line options.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emulator.seed import SeedError, is_uuid
from emulator.userpool.schema import standard_schema

Params = dict[str, Any]
_POOL_OPTIONS = (
    "Policies", "LambdaConfig", "AutoVerifiedAttributes", "AliasAttributes", "UsernameAttributes",
    "SmsVerificationMessage", "EmailVerificationMessage", "EmailVerificationSubject", "VerificationMessageTemplate",
    "SmsAuthenticationMessage", "MfaConfiguration", "UserAttributeUpdateSettings", "DeviceConfiguration",
    "EmailConfiguration", "SmsConfiguration", "UserPoolTags", "AdminCreateUserConfig", "UserPoolAddOns",
    "UsernameConfiguration", "AccountRecoverySetting", "DeletionProtection",
)
_CLIENT_SETTINGS = (
    "ClientName", "ClientSecret", "RefreshTokenValidity", "AccessTokenValidity", "IdTokenValidity",
    "TokenValidityUnits", "ReadAttributes", "WriteAttributes", "ExplicitAuthFlows", "SupportedIdentityProviders",
    "CallbackURLs", "LogoutURLs", "DefaultRedirectURI", "AllowedOAuthFlows", "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient", "PreventUserExistenceErrors", "EnableTokenRevocation",
    "AuthSessionValidity",
)
_STATUSES = ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")
_STANDARD = {a["Name"]: a for a in standard_schema()}


def data_folders(path: Path) -> tuple[Path, Path]:
    """(the .cognito folder, its db folder) for a project folder, a .cognito folder or a db folder."""
    candidates = [path / ".cognito", path, *([path.parent] if path.name == "db" else [])]
    for base in candidates:
        if (base / "db").is_dir():
            return base, base / "db"
    raise SeedError(f"{path}: no cognito-local data here (expected .cognito/db/*.json).")


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"{path}: cannot read it as JSON ({exc}).") from None


def _same(default: Params, given: Params) -> bool:
    keys = ("Mutable", "Required", "StringAttributeConstraints", "NumberAttributeConstraints")
    return all(given.get(k, default.get(k)) == default.get(k) for k in keys)


def _schema(options: Params) -> list[Params]:
    """CreateUserPool's Schema from the stored SchemaAttributes: customs without their prefix."""
    result = []
    for attr in options.get("SchemaAttributes") or []:
        if not isinstance(attr, dict) or not isinstance(attr.get("Name"), str):
            continue
        name = attr["Name"]
        entry = {k: v for k, v in attr.items() if k in ("AttributeDataType", "Mutable", "Required",
                                                           "StringAttributeConstraints", "NumberAttributeConstraints")}
        if name.startswith(("custom:", "dev:custom:")):
            entry["Name"] = name.split("custom:", 1)[1]
            entry["DeveloperOnlyAttribute"] = name.startswith("dev:")
            entry.pop("Required", None)  # Cognito refuses required custom attributes
        else:
            default = _STANDARD.get(name)
            if name == "sub" or (default is not None and _same(default, entry)):
                continue  # only standard attributes that differ from Cognito's defaults are worth naming
            entry["Name"] = name
        result.append(entry)
    return result


def _pool(options: Params, pool_id: str, triggers: Params, notes: list[str]) -> Params:
    entry: Params = {"Id": pool_id, "PoolName": str(options.get("Name") or pool_id)}
    for key in _POOL_OPTIONS:
        if options.get(key) not in (None, {}, []):
            entry[key] = options[key]
    admin = dict(entry.get("AdminCreateUserConfig") or {})
    days = admin.pop("UnusedAccountValidityDays", None)
    policy = (entry.get("Policies") or {}).get("PasswordPolicy") or {}
    if days is not None and "TemporaryPasswordValidityDays" not in policy:
        entry.setdefault("Policies", {}).setdefault("PasswordPolicy", {})["TemporaryPasswordValidityDays"] = days
    if admin:
        entry["AdminCreateUserConfig"] = admin
    else:
        entry.pop("AdminCreateUserConfig", None)
    if entry.get("MfaConfiguration") in ("ON", "OPTIONAL") and "SmsConfiguration" not in entry:
        notes.append(f"{pool_id}: MfaConfiguration {entry['MfaConfiguration']} without SmsConfiguration is "
                     "refused by Cognito; imported with MFA OFF (set it with SetUserPoolMfaConfig).")
        entry["MfaConfiguration"] = "OFF"
    schema = _schema(options)
    if schema:
        entry["Schema"] = schema
    lambda_config = {k: v for k, v in (entry.get("LambdaConfig") or {}).items() if v}
    entry.pop("LambdaConfig", None)
    if lambda_config:
        entry["LambdaConfig"] = lambda_config
    extra = {k: v for k, v in triggers.items() if k not in lambda_config}
    if extra:
        entry["Triggers"] = extra
    return entry


def _known_attributes(options: Params) -> set[str] | None:
    names = {a["Name"] for a in options.get("SchemaAttributes") or [] if isinstance(a, dict) and "Name" in a}
    return names or None


def _user(record: Params, pool_id: str, options: Params, notes: list[str]) -> Params | None:
    username = record.get("Username")
    if not isinstance(username, str):
        return None
    attrs: Params = {}
    known = _known_attributes(options)
    for attr in record.get("Attributes") or []:
        name, value = attr.get("Name"), attr.get("Value")
        if not isinstance(name, str) or value is None:
            continue
        if known is not None and name not in known:
            notes.append(f"{pool_id}/{username}: attribute {name} is not in the pool's schema; left out.")
            continue
        attrs[name] = value
    user: Params = {"Username": username}
    sub = attrs.pop("sub", None)
    if is_uuid(sub):
        user["Sub"] = sub
    kinds = options.get("UsernameAttributes") or []
    if kinds and "@" not in username and not username.startswith("+"):
        # An e-mail/phone-username pool signs users in by that attribute; Cogito names them by it.
        for kind in kinds:
            if attrs.get(kind):
                user["Username"] = attrs[kind]
                notes.append(f"{pool_id}/{username}: signs in as {attrs[kind]} (the pool's username attribute).")
                break
    if isinstance(record.get("Password"), str) and record["Password"]:
        user["Password"] = record["Password"]
    status = record.get("UserStatus")
    if status in _STATUSES:
        user["Status"] = status
    elif status is not None:
        notes.append(f"{pool_id}/{username}: status {status} imported as CONFIRMED.")
    if record.get("Enabled") is False:
        user["Enabled"] = False
    if attrs:
        user["Attributes"] = attrs
    if record.get("RefreshTokens"):
        notes.append(f"{pool_id}/{username}: {len(record['RefreshTokens'])} refresh token(s) not carried over "
                     "(sign in again).")
    return user


def _groups(stored: Any, users: list[Params], by_name: dict[str, Params]) -> list[Params]:
    groups = []
    for name, record in (stored or {}).items():
        if not isinstance(record, dict):
            continue
        group = {k: record[k] for k in ("GroupName", "Description", "Precedence", "RoleArn")
                 if record.get(k) is not None}
        group.setdefault("GroupName", name)
        groups.append(group)
        for member in record.get("members") or []:
            user = by_name.get(member)
            if user is not None:
                user.setdefault("Groups", []).append(group["GroupName"])
    return groups


def to_seed(path: str | Path) -> tuple[Params, list[str]]:
    """The seed equivalent of a cognito-local data folder, and notes on what did not carry over."""
    base, db = data_folders(Path(path))
    notes: list[str] = []
    config = _read(base / "config.json") if (base / "config.json").is_file() else {}
    triggers = {k: v for k, v in (config.get("TriggerFunctions") or {}).items() if isinstance(v, str) and v}
    token = config.get("TokenConfig") or {}
    if token.get("IssuerDomain"):
        notes.append(f"config.json TokenConfig.IssuerDomain: start Cogito with --issuer-base {token['IssuerDomain']}.")
    if token.get("Region"):
        notes.append("config.json TokenConfig.Region: start Cogito with --issuer-style aws for AWS-shaped issuers.")
    endpoint = (config.get("LambdaClient") or {}).get("endpoint")
    if endpoint:
        notes.append(f"config.json LambdaClient.endpoint: start Cogito with --lambda-endpoint {endpoint} to run "
                     "the triggers there (the trigger mappings themselves were imported).")
    if triggers:
        notes.append(f"config.json TriggerFunctions ({', '.join(sorted(triggers))}) applied to every pool, "
                     "as cognito-local does.")
    clients = (_read(db / "clients.json").get("Clients") or {}) if (db / "clients.json").is_file() else {}
    pools = []
    for file in sorted(db.glob("*.json")):
        if file.name == "clients.json":
            continue
        data = _read(file)
        options = data.get("Options") or {}
        pool_id = str(options.get("Id") or file.stem)
        entry = _pool(options, pool_id, triggers, notes)
        records = [r for r in (data.get("Users") or {}).values() if isinstance(r, dict)]
        pairs = [(r, _user(r, pool_id, options, notes)) for r in records]
        users = [u for _, u in pairs if u is not None]
        by_name = {str(r.get("Username")): u for r, u in pairs if u is not None}
        groups = _groups(data.get("Groups"), users, by_name)
        entry["Clients"] = [
            {"ClientId": cid, **{k: v for k, v in c.items() if k in _CLIENT_SETTINGS and v is not None}}
            for cid, c in sorted(clients.items()) if isinstance(c, dict) and c.get("UserPoolId") == pool_id
        ]
        if groups:
            entry["Groups"] = groups
        if users:
            entry["Users"] = users
        pools.append(entry)
    orphans = sorted(cid for cid, c in clients.items() if isinstance(c, dict)
                     and c.get("UserPoolId") not in {p["Id"] for p in pools})
    for cid in orphans:
        notes.append(f"client {cid}: its pool {clients[cid].get('UserPoolId')} has no file; left out.")
    return {"UserPools": pools}, notes
