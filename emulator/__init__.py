"""Cogito: a local emulator of Amazon Cognito (user pools and identity pools)."""

__version__ = "0.1.0"
