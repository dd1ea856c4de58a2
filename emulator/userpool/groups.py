"""User pool groups and memberships (reference §7).

Facts (API reference, real error reports):
- ``GroupName`` is unique in the pool (a database constraint): a duplicate is
  ``GroupExistsException`` "A group with the name X already exists.", also when two
  requests race;
- an unknown group is ``ResourceNotFoundException`` "Group not found."; an unknown user
  ``UserNotFoundException`` "User does not exist.";
- UpdateGroup changes only the properties it is given ("updates any of the properties");
- DeleteGroup takes the memberships with it; AdminAddUserToGroup is idempotent;
- quotas: 10,000 groups per pool, 100 groups per user (LimitExceededException).
Precedence orders a user's groups: 0 first, null after every number, then by name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emulator import paging
from emulator.context import Context
from emulator.errors import GroupExistsException, InvalidParameterException, LimitExceededException
from emulator.errors import ResourceNotFoundException
from emulator.protocol.registry import operation
from emulator.userpool import directory
from emulator.userpool.directory_models import Group, Membership, User
from emulator.userpool.lookup import get_pool
from emulator.userpool.models import UserPool

Params = dict[str, Any]
MAX_GROUPS_PER_POOL = 10_000
MAX_GROUPS_PER_USER = 100
DEFAULT_LIMIT = 60


def group_type(group: Group) -> dict[str, Any]:
    """The GroupType document."""
    return {
        "GroupName": group.name,
        "UserPoolId": group.pool_id,
        "Description": group.description,
        "RoleArn": group.role_arn,
        "Precedence": group.precedence,
        "LastModifiedDate": group.modified,
        "CreationDate": group.created,
    }


def _rank(group: Group) -> tuple[bool, int, str]:
    """Sort key: best precedence first, null precedence last, then by name."""
    return (group.precedence is None, group.precedence or 0, group.name)


def groups_for_user(db: Session, user: User) -> list[Group]:
    """``user``'s groups, best precedence first (null last), then by name: the token claims' order."""
    groups = db.scalars(select(Group).join(Membership, Membership.group_id == Group.id)
                        .where(Membership.user_id == user.id))
    return sorted(groups, key=_rank)


def find_group(db: Session, pool: UserPool, name: str) -> Group:
    group = db.scalar(select(Group).where(Group.pool_id == pool.id, Group.name == name))
    if group is None:
        raise ResourceNotFoundException("Group not found.")
    return group


def _limit(params: Params) -> int:
    limit = params.get("Limit")
    return DEFAULT_LIMIT if limit is None else int(limit)


@operation("cognito-idp", "CreateGroup")
def create_group(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    name = params["GroupName"]
    exists = GroupExistsException(f"A group with the name {name} already exists.")
    if ctx.db.scalar(select(Group.id).where(Group.pool_id == pool.id, Group.name == name)) is not None:
        raise exists
    count = ctx.db.scalar(select(func.count()).select_from(Group).where(Group.pool_id == pool.id)) or 0
    if count >= MAX_GROUPS_PER_POOL:
        raise LimitExceededException(f"The user pool has reached its limit of {MAX_GROUPS_PER_POOL} groups.")
    group = Group(
        pool_id=pool.id, name=name, description=params.get("Description"), role_arn=params.get("RoleArn"),
        precedence=params.get("Precedence"), created=ctx.now, modified=ctx.now,
    )
    try:
        with ctx.db.begin_nested():  # a concurrent twin makes this INSERT, not the check, fail
            ctx.db.add(group)
            ctx.db.flush()
    except IntegrityError:
        raise exists from None
    return {"Group": group_type(group)}


@operation("cognito-idp", "GetGroup", readonly=True)
def get_group(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    return {"Group": group_type(find_group(ctx.db, pool, params["GroupName"]))}


@operation("cognito-idp", "UpdateGroup")
def update_group(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    group = find_group(ctx.db, pool, params["GroupName"])
    if "Description" in params:
        group.description = params["Description"]
    if "RoleArn" in params:
        group.role_arn = params["RoleArn"]
    if "Precedence" in params:
        group.precedence = params["Precedence"]
    group.modified = ctx.now
    return {"Group": group_type(group)}


@operation("cognito-idp", "DeleteGroup")
def delete_group(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    group = find_group(ctx.db, pool, params["GroupName"])
    ctx.db.execute(delete(Membership).where(Membership.group_id == group.id))
    ctx.db.delete(group)
    return {}


@operation("cognito-idp", "ListGroups", readonly=True)
def list_groups(ctx: Context, params: Params) -> dict[str, Any]:
    """Groups by name; the token is the last name given."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    after = paging.decode(params.get("NextToken"))
    if after is not None and not isinstance(after, str):
        raise InvalidParameterException("Invalid pagination token.")
    limit = _limit(params)
    query = select(Group).where(Group.pool_id == pool.id)
    if after is not None:
        query = query.where(Group.name > after)
    rows = list(ctx.db.scalars(query.order_by(Group.name).limit(limit + 1))) if limit > 0 else []
    page = rows[:limit]
    result: dict[str, Any] = {"Groups": [group_type(g) for g in page]}
    if len(rows) > limit:
        result["NextToken"] = paging.encode(page[-1].name)
    return result


@operation("cognito-idp", "AdminAddUserToGroup")
def admin_add_user_to_group(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    user = directory.require_user(ctx.db, pool, params["Username"])
    group = find_group(ctx.db, pool, params["GroupName"])
    if ctx.db.get(Membership, (group.id, user.id)) is not None:
        return {}
    count = ctx.db.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == user.id)) or 0
    if count >= MAX_GROUPS_PER_USER:
        raise LimitExceededException(f"A user can be a member of at most {MAX_GROUPS_PER_USER} groups.")
    try:
        with ctx.db.begin_nested():  # a concurrent identical request already added it: fine
            ctx.db.add(Membership(group_id=group.id, user_id=user.id))
            ctx.db.flush()
    except IntegrityError:
        pass
    return {}


@operation("cognito-idp", "AdminRemoveUserFromGroup")
def admin_remove_user_from_group(ctx: Context, params: Params) -> dict[str, Any]:
    pool = get_pool(ctx.db, params["UserPoolId"])
    user = directory.require_user(ctx.db, pool, params["Username"])
    group = find_group(ctx.db, pool, params["GroupName"])
    ctx.db.execute(delete(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id))
    return {}


@operation("cognito-idp", "AdminListGroupsForUser", readonly=True)
def admin_list_groups_for_user(ctx: Context, params: Params) -> dict[str, Any]:
    """The user's groups in precedence order (at most 100, so ranked in memory)."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    user = directory.require_user(ctx.db, pool, params["Username"])
    after = paging.decode(params.get("NextToken"))
    if after is not None and not (isinstance(after, list) and len(after) == 3):
        raise InvalidParameterException("Invalid pagination token.")
    ranked = groups_for_user(ctx.db, user)
    if after is not None:
        try:
            mark = (bool(after[0]), int(after[1]), str(after[2]))
        except (TypeError, ValueError):
            raise InvalidParameterException("Invalid pagination token.") from None
        ranked = [g for g in ranked if _rank(g) > mark]
    limit = _limit(params)
    page = ranked[:limit] if limit > 0 else []
    result: dict[str, Any] = {"Groups": [group_type(g) for g in page]}
    if page and len(ranked) > limit:
        result["NextToken"] = paging.encode(list(_rank(page[-1])))
    return result


@operation("cognito-idp", "ListUsersInGroup", readonly=True)
def list_users_in_group(ctx: Context, params: Params) -> dict[str, Any]:
    """The group's members in the order they were created; the token is the last user's id."""
    pool = get_pool(ctx.db, params["UserPoolId"])
    group = find_group(ctx.db, pool, params["GroupName"])
    after = paging.decode(params.get("NextToken"))
    if after is not None and (not isinstance(after, int) or isinstance(after, bool)):
        raise InvalidParameterException("Invalid pagination token.")
    limit = _limit(params)
    query = select(User).join(Membership, Membership.user_id == User.id).where(Membership.group_id == group.id)
    if after is not None:
        query = query.where(Membership.user_id > after)
    rows = list(ctx.db.scalars(query.order_by(Membership.user_id).limit(limit + 1))) if limit > 0 else []
    page = rows[:limit]
    result: dict[str, Any] = {"Users": [directory.user_type(u) for u in page]}
    if len(rows) > limit:
        result["NextToken"] = paging.encode(page[-1].id)
    return result
