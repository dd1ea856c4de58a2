"""A pool's signing keys, token signing and verification, and the well-known endpoints."""
