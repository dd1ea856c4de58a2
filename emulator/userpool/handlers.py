"""Importing this module registers every cognito-idp handler."""

from emulator.userpool import clients, pools, tags  # noqa: F401
from emulator.userpool import admin_users  # noqa: F401
