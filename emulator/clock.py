"""A clock tests can stop: every "now" in Cogito comes from here."""

from __future__ import annotations

import time


class Clock:
    """Wall time, optionally frozen at an instant or shifted by an offset (seconds)."""

    def __init__(self) -> None:
        self.frozen_at: float | None = None
        self.offset: float = 0.0

    def now(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self.offset

    def freeze(self, at: float | None = None) -> None:
        self.frozen_at = self.now() if at is None else at

    def advance(self, seconds: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at += seconds
        else:
            self.offset += seconds

    def reset(self) -> None:
        self.frozen_at = None
        self.offset = 0.0
