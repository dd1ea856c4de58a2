"""The emulator's state as a whole: snapshots (export/import), importers, in-process functions."""
