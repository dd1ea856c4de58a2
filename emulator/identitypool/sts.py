"""STS over the Query protocol: AssumeRoleWithWebIdentity and GetCallerIdentity.

Cogito has no IAM, so a role's trust policy is stood in for by one rule, the one the
console writes for identity-pool roles (``aud`` = the pool, ``amr`` authenticated or
unauthenticated):

- an identity-service token (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity) may
  assume its pool's unauthenticated role if its ``amr`` says unauthenticated, and its
  authenticated role or any role of its role-mapping rules if authenticated; any other
  role is ``AccessDenied``;
- a Cogito user-pool ID token (an OIDC provider to STS) may assume any role.

Other issuers have no OpenID Connect provider here: ``InvalidIdentityToken``.
GetCallerIdentity names the assumed role of keys Cogito vended; other keys (``test``…)
are taken as the account's root.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.context import Context
from emulator.errors import CognitoError
from emulator.identitypool import credentials, openid, roles
from emulator.identitypool.models import IdentityPool, VendedCredential
from emulator.protocol.registry import operation

COGNITO_PROVIDER = "cognito-identity.amazonaws.com"
NOT_VALIDATED = ("The web identity token that was passed could not be validated by AWS. "
                 "Get a new identity token from the identity provider and then retry the request.")
EXPIRED = ("The web identity token that was passed is expired or is not valid. "
           "Get a new identity token from the identity provider and then retry the request.")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


def _error(code: str, message: str, status: int = 400) -> CognitoError:
    return CognitoError(message, code=code, status=status)


def _invalid(message: str = NOT_VALIDATED) -> CognitoError:
    return _error("InvalidIdentityToken", message)


def _denied() -> CognitoError:
    return _error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)


def _identity_token(ctx: Context, token: str, role_arn: str) -> tuple[dict[str, Any], str, str | None]:
    """Claims of an identity-service token, checked against the stand-in trust policy."""
    try:
        claims = openid.verify(ctx.db, token, ctx.now)
    except openid.IdentityTokenError as exc:
        raise (_error("ExpiredTokenException", EXPIRED) if exc.expired else _invalid()) from None
    pool = ctx.db.get(IdentityPool, str(claims.get("aud")))
    if pool is None:
        raise _invalid("Incorrect token audience")
    amr = claims.get("amr") if isinstance(claims.get("amr"), list) else []
    pool_roles = pool.roles or {}
    if "authenticated" in amr:
        allowed = {pool_roles.get("authenticated")} | roles.mapped_roles(pool.role_mappings or {})
        for mapping in (pool.role_mappings or {}).values():
            if mapping.get("Type") == "Token":
                allowed.add(role_arn)  # a Token mapping hands out roles from the user's groups
    else:
        allowed = {pool_roles.get("unauthenticated")}
    if role_arn not in allowed:
        raise _denied()
    return claims, COGNITO_PROVIDER, pool.id


def _user_pool_token(ctx: Context, token: str) -> tuple[dict[str, Any], str, None]:
    from emulator.jwks import issuer, signing
    from emulator.userpool.models import AppClient, UserPool

    try:
        unverified = signing.unverified_claims(token)
    except signing.TokenError:
        raise _invalid() from None
    iss = str(unverified.get("iss", ""))
    pool_id = iss.rstrip("/").rsplit("/", 1)[-1]
    if not pool_id or ctx.db.get(UserPool, pool_id) is None or not issuer.issuer_matches(iss, pool_id):
        raise _invalid(f"No OpenIDConnect provider found in your account for {iss}")
    try:
        claims = signing.verify(ctx.db, pool_id, token)
    except signing.TokenError:
        raise _invalid() from None
    # IAM's OpenID Connect provider for the pool would list its client ids as audiences; with
    # no IAM here, the stand-in is that the aud names an app client of that pool.
    client = ctx.db.get(AppClient, claims.get("aud")) if isinstance(claims.get("aud"), str) else None
    if claims.get("token_use") != "id" or client is None or client.pool_id != pool_id:
        raise _invalid("Incorrect token audience")
    try:
        signing.check_not_expired(claims, ctx.now)
    except signing.TokenExpired:
        raise _error("ExpiredTokenException", EXPIRED) from None
    if signing.not_yet_valid(claims, ctx.now):
        raise _invalid()
    return claims, iss, None


@operation("sts", "AssumeRoleWithWebIdentity")
def assume_role_with_web_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    role_arn = params["RoleArn"]
    if not _ROLE_ARN.fullmatch(role_arn):
        raise _error("ValidationError", "Request ARN is invalid")
    token = params["WebIdentityToken"]
    try:
        import jwt

        iss = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except Exception:  # noqa: BLE001 - any unreadable token is the same refusal
        raise _invalid() from None
    if iss == openid.ISSUER:
        claims, provider, pool_id = _identity_token(ctx, token, role_arn)
    else:
        claims, provider, pool_id = _user_pool_token(ctx, token)
    session_name = params["RoleSessionName"]
    issued = credentials.issue(
        ctx, role_arn, source="AssumeRoleWithWebIdentity", session_name=session_name,
        seconds=params.get("DurationSeconds") or credentials.DEFAULT_SECONDS,
        identity_id=str(claims.get("sub")) if pool_id else None, identity_pool_id=pool_id,
        provider=provider, subject=str(claims.get("sub")),
    )
    account = credentials.role_account(role_arn, ctx.account_id)
    policy_size = None
    if params.get("Policy") or params.get("PolicyArns"):
        packed = len(params.get("Policy") or "") + 64 * len(params.get("PolicyArns") or [])
        policy_size = max(1, min(100, packed * 100 // 2048))
    return {
        "Credentials": {
            "AccessKeyId": issued.access_key_id, "SecretAccessKey": issued.secret_key,
            "SessionToken": issued.session_token, "Expiration": credentials.iso8601(issued.expiration),
        },
        "SubjectFromWebIdentityToken": str(claims.get("sub")),
        "AssumedRoleUser": {
            "AssumedRoleId": f"{credentials.role_id(role_arn)}:{session_name}",
            "Arn": credentials.assumed_role_arn(role_arn, session_name, account),
        },
        "PackedPolicySize": policy_size,
        "Provider": provider,
        "Audience": str(claims.get("aud")),
    }


@operation("sts", "GetCallerIdentity", readonly=True)
def get_caller_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Who signed the request: the assumed role of a vended key, or the account root."""
    auth = params.get("__authorization") or ""
    match = _CREDENTIAL.search(auth)
    key = match.group(1) if match else params.get("__access_key")
    if not key:
        raise _error("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    record = ctx.db.get(VendedCredential, key)
    if record is None:
        if key.startswith("ASIA"):
            raise _error("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
        return {"UserId": ctx.account_id, "Account": ctx.account_id, "Arn": f"arn:aws:iam::{ctx.account_id}:root"}
    token = params.get("__security_token")
    if token is not None and token != record.session_token:
        raise _error("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
    if record.expiration <= ctx.now:
        raise _error("ExpiredToken", "The security token included in the request is expired", 403)
    account = credentials.role_account(record.role_arn, ctx.account_id)
    return {
        "UserId": f"{credentials.role_id(record.role_arn)}:{record.session_name}",
        "Account": account,
        "Arn": credentials.assumed_role_arn(record.role_arn, record.session_name, account),
    }
