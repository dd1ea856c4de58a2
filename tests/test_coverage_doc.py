"""docs/COVERAGE.md must match the registry and the service models (regenerate: `make coverage`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from emulator.protocol import registry, specs

ROOT = Path(__file__).resolve().parents[1]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cogito_coverage_script", ROOT / "scripts" / "coverage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_doc_is_current() -> None:
    script = load_script()
    committed = (ROOT / "docs" / "COVERAGE.md").read_text(encoding="utf-8")
    assert committed == script.render(), "docs/COVERAGE.md is stale: run `make coverage` and commit it"


def test_coverage_doc_lists_every_operation_once() -> None:
    text = load_script().render()
    for service in ("cognito-idp", "cognito-identity", "sts"):
        spec = specs.get_spec(service)
        done = set(registry.implemented(service))
        for name in spec.operations:
            status = "implemented" if name in done else "not yet (501)"
            assert text.count(f"| `{name}` | {status} |") >= 1, (service, name)
        assert f"{len(done & set(spec.operations))} of {len(spec.operations)} operations implemented" in text


def test_check_mode_reports_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = load_script()
    stale = tmp_path / "docs" / "COVERAGE.md"
    stale.parent.mkdir()
    stale.write_text("# Coverage\n\nold\n", encoding="utf-8")
    monkeypatch.setattr(script, "DOC", stale)
    monkeypatch.setattr(script, "ROOT", tmp_path)
    assert script.main(["--check"]) == 1
    assert script.main([]) == 0
    assert script.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == script.render()
