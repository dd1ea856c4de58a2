"""Importing this module registers every cognito-idp handler."""

from emulator.userpool import pools, tags  # noqa: F401
