"""What one running Cogito holds: its settings, its store and its clock."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.clock import Clock
from emulator.settings import Settings
from emulator.store.engine import Store


@dataclass
class ServerState:
    settings: Settings
    store: Store
    clock: Clock
