"""The emulator's own HTTP API under /_cogito/ (never collides with AWS paths)."""
