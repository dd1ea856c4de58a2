"""Importing this module registers every cognito-identity and STS handler."""

from emulator.identitypool import developer, identities, pools, sts  # noqa: F401
