"""Users: the ListUsers search and paging, one user's page, and the administrator's actions.

Every list and action goes through the AWS operation it stands for (ListUsers,
AdminCreateUser, AdminSetUserPassword, AdminUserGlobalSignOut, ...), so the console
follows exactly the rules an SDK call meets, errors included.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from emulator.console import calls, console
from emulator.console.pools import pool_or_404
from emulator.errors import CognitoError
from emulator.userpool import attributes, directory, outbox
from emulator.userpool.auth.models import RefreshToken, RevokedOrigin
from emulator.userpool.directory_models import User
from emulator.userpool.listing import DEFAULT_LIMIT

PAGE_SIZES = (10, 20, 60)
FILTER_EXAMPLES = ('email ^= "ali"', 'cognito:user_status = "UNCONFIRMED"', 'status = "Disabled"',
                   'username = "alice"', 'sub = "…"')


def _limit() -> int:
    try:
        value = int(request.args.get("limit", 20))
    except ValueError:
        return 20
    return value if value in PAGE_SIZES else 20


def _render_users(pool_id: str, *, form: dict[str, str] | None = None, error: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    flt = request.args.get("filter", "")
    token = request.args.get("token") or None
    limit = _limit()
    params: dict[str, Any] = {"UserPoolId": pool_id, "Limit": limit}
    if flt.strip():
        params["Filter"] = flt
    if token:
        params["PaginationToken"] = token
    search_error = None
    with calls.read() as reader:
        pool = pool_or_404(reader, pool_id)
        try:
            answer = reader.query("ListUsers", params)
        except CognitoError as err:
            answer, search_error = {"Users": []}, calls.error_text(err)
        page = [{"Username": u["Username"], "Status": u["UserStatus"], "Enabled": u["Enabled"],
                 "Created": u["UserCreateDate"], "Attributes": attributes.as_dict(u["Attributes"])}
                for u in answer.get("Users", [])]
        return render_template(
            "console/users.html", pool=pool, users=page, filter=flt, limit=limit, sizes=PAGE_SIZES,
            next_token=answer.get("PaginationToken"), paged=bool(token), search_error=search_error,
            examples=FILTER_EXAMPLES, form=form or {}, error=error or request.args.get("error"),
            notice=request.args.get("notice"), default_limit=DEFAULT_LIMIT,
        ), status


@console.get("/pools/<pool_id>/users")
def user_list(pool_id: str) -> tuple[str, int]:
    return _render_users(pool_id)


def _extra_attributes(text: str) -> list[dict[str, str]]:
    """``name=value`` lines (blank lines skipped) as an AttributeType list."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise CognitoError(f"Attribute line {line.strip()!r} is not name=value.", code="InvalidParameterException")
        found.append({"Name": name.strip(), "Value": value.strip()})
    return found


def _create_params(pool_id: str, form: dict[str, str]) -> dict[str, Any]:
    attrs = []
    for name in ("email", "phone_number"):
        if form.get(name, "").strip():
            attrs.append({"Name": name, "Value": form[name].strip()})
    if form.get("email_verified") and form.get("email", "").strip():
        attrs.append({"Name": "email_verified", "Value": "true"})
    if form.get("phone_number_verified") and form.get("phone_number", "").strip():
        attrs.append({"Name": "phone_number_verified", "Value": "true"})
    attrs.extend(_extra_attributes(form.get("attributes", "")))
    params: dict[str, Any] = {"UserPoolId": pool_id, "Username": form.get("username", "").strip()}
    if attrs:
        params["UserAttributes"] = attrs
    if form.get("password"):
        params["TemporaryPassword"] = form["password"]
    delivery = form.get("delivery", "")
    if delivery == "SUPPRESS":
        params["MessageAction"] = "SUPPRESS"
    elif delivery in ("EMAIL", "SMS"):
        params["DesiredDeliveryMediums"] = [delivery]
    return params


@console.post("/pools/<pool_id>/users")
def create_user(pool_id: str) -> Response | tuple[str, int]:
    """AdminCreateUser; with "permanent" the password is then made permanent (AdminSetUserPassword)."""
    form = {k: v for k, v in request.form.items()}
    try:
        params = _create_params(pool_id, form)
        created = calls.act("AdminCreateUser", params)["User"]
        if form.get("permanent") and form.get("password"):
            calls.act("AdminSetUserPassword", {"UserPoolId": pool_id, "Username": created["Username"],
                                               "Password": form["password"], "Permanent": True})
    except CognitoError as err:
        return _render_users(pool_id, form=form, error=calls.error_text(err), status=400)
    username = created["Username"]
    status = "CONFIRMED" if form.get("permanent") and form.get("password") else created["UserStatus"]
    return redirect(url_for("console.user_page", pool_id=pool_id, username=username,
                            notice=f"User {username} created ({status})."), code=303)


def _sessions(reader: calls.Reader, user: User) -> list[dict[str, Any]]:
    """The user's sign-in families (refresh tokens grouped by origin_jti), newest first."""
    rows = list(reader.db.scalars(select(RefreshToken).where(RefreshToken.user_id == user.id)
                                  .order_by(RefreshToken.created.desc())))
    families: dict[str, dict[str, Any]] = {}
    now = calls.now()
    for row in rows:
        fam = families.setdefault(row.origin_jti, {"origin_jti": row.origin_jti, "client_id": row.client_id,
                                                   "auth_time": row.auth_time, "tokens": 0, "created": row.created,
                                                   "expires": row.expires, "revoked": False})
        fam["tokens"] += 1
        fam["expires"] = max(fam["expires"], row.expires)
        signed_out = user.revoked_before is not None and row.created < user.revoked_before
        if row.revoked or signed_out:
            fam["revoked"] = True
    for fam in families.values():
        if reader.db.get(RevokedOrigin, fam["origin_jti"]) is not None:
            fam["revoked"] = True
        fam["state"] = "revoked" if fam["revoked"] else ("expired" if fam["expires"] <= now else "active")
    return list(families.values())


def _all_groups(reader: calls.Reader, pool_id: str) -> list[str]:
    names: list[str] = []
    params: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 60}
    for _ in range(20):  # at most 1,200 names in the picker
        answer = reader.query("ListGroups", params)
        names.extend(g["GroupName"] for g in answer.get("Groups", []))
        if not answer.get("NextToken"):
            break
        params["NextToken"] = answer["NextToken"]
    return names


def _user_groups(reader: calls.Reader, pool_id: str, username: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"UserPoolId": pool_id, "Username": username, "Limit": 60}
    while True:
        answer = reader.query("AdminListGroupsForUser", params)
        found.extend(answer.get("Groups", []))
        if not answer.get("NextToken"):
            return found
        params["NextToken"] = answer["NextToken"]


@console.get("/pools/<pool_id>/users/<path:username>")
def user_page(pool_id: str, username: str) -> str:
    with calls.read() as reader:
        pool = pool_or_404(reader, pool_id)
        try:
            user = directory.require_target(reader.db, pool, username)
            info = reader.query("AdminGetUser", {"UserPoolId": pool.id, "Username": user.username})
        except CognitoError as err:
            abort(404, description=f"{err.message} ({username} in {pool_id})")
        ctx = reader.ctx("AdminGetUser")
        mine = _user_groups(reader, pool.id, user.username)
        member_of = {g["GroupName"] for g in mine}
        return render_template(
            "console/user.html", pool=pool, user=user, info=info, attrs=info.get("UserAttributes", []),
            groups=mine, other_groups=[g for g in _all_groups(reader, pool.id) if g not in member_of],
            pending=attributes.pending_names(ctx, user), sessions=_sessions(reader, user),
            mfa_mode=pool.config.get("MfaConfiguration", "OFF"), mfa=user.mfa or {},
            messages=outbox.query(reader.db, pool_id=pool.id, username=user.username, limit=10),
            notice=request.args.get("notice"), error=request.args.get("error"), now=calls.now(),
        )


SIGNED_OUT = ("Signed out everywhere: every refresh token and every access token issued until now is revoked "
              "(they still verify against the JWKS until they expire).")
# action -> (operation, extra params from the form, what to tell the person)
ACTIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "confirm": ("AdminConfirmSignUp", (), "Sign-up confirmed."),
    "reset-password": ("AdminResetUserPassword", (),
                       "Password reset: the user must set a new one with the code sent (see the outbox)."),
    "set-password": ("AdminSetUserPassword", ("Password", "Permanent"), "Password set."),
    "add-to-group": ("AdminAddUserToGroup", ("GroupName",), "Added to group."),
    "remove-from-group": ("AdminRemoveUserFromGroup", ("GroupName",), "Removed from group."),
    "disable": ("AdminDisableUser", (), "User disabled: sign-in refused and existing tokens revoked."),
    "enable": ("AdminEnableUser", (), "User enabled."),
    "sign-out": ("AdminUserGlobalSignOut", (), SIGNED_OUT),
    "delete": ("AdminDeleteUser", (), "User deleted."),
}


FORM_FIELDS = {"Password": "password", "GroupName": "group", "Permanent": "permanent"}


def _action_params(pool_id: str, username: str, extra: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {"UserPoolId": pool_id, "Username": username}
    for name in extra:
        value = request.form.get(FORM_FIELDS[name], "")
        params[name] = bool(value) if name == "Permanent" else value
    return params


@console.post("/pools/<pool_id>/users/<path:username>/actions/<action>")
def user_action(pool_id: str, username: str, action: str) -> Response:
    if action not in ACTIONS:
        abort(404, description=f"No console action {action}.")
    operation, extra, done = ACTIONS[action]
    try:
        calls.act(operation, _action_params(pool_id, username, extra))
    except CognitoError as err:
        return redirect(url_for("console.user_page", pool_id=pool_id, username=username,
                                error=calls.error_text(err)), code=303)
    if action == "delete":
        return redirect(url_for("console.user_list", pool_id=pool_id, notice=f"User {username} deleted."), code=303)
    return redirect(url_for("console.user_page", pool_id=pool_id, username=username, notice=done), code=303)
