"""What a handler knows about the request it serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from emulator.settings import Settings


@dataclass
class Context:
    settings: "Settings"
    db: "Session"
    service: str
    operation: str
    region: str
    account_id: str
    request_id: str
    now: float
    base_url: str

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        return f"arn:aws:{service}:{region or self.region}:{self.account_id}:{resource}"
