"""Importing this module registers every cognito-idp handler."""

from emulator.userpool import clients, pools, tags  # noqa: F401
from emulator.userpool import recovery, signup  # noqa: F401
from emulator.userpool import groups, listing  # noqa: F401
from emulator.userpool import admin_users  # noqa: F401
from emulator.userpool import domains, resource_servers  # noqa: F401
from emulator.userpool.auth import handlers as auth_handlers  # noqa: F401
from emulator.userpool.auth import revocation, self_service  # noqa: F401
from emulator.userpool import devices  # noqa: F401
from emulator.userpool.auth import mfa_ops, user_auth  # noqa: F401
