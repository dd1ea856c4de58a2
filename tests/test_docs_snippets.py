"""The docs' code runs: every ```python block of the pages below, against a live Cogito.

Conventions (HTML comments right above a block, invisible on GitHub):
- a plain ```python block runs; the blocks of one page run in order in one namespace, like a
  session, against a fresh server; ``http://localhost:9229`` is replaced by its address;
- ``<!-- snippet: pytest -->``: the block is a test file; it runs under pytest (pytester) with
  the ``cogito`` fixture, and every test in it must pass;
- ``<!-- snippet: needs FEATURE -->``: the block uses something Cogito does not do yet (FEATURES
  below says what). It runs after the page's other blocks: while it fails the test is skipped
  with that reason; once it passes, the test fails so that the marker (and the doc's "not yet"
  note) is removed. That keeps the list of unbuilt features in the docs honest.

The configuration reference is checked against the code: every setting, environment variable
and ``cogito serve`` flag must appear in docs/configuration.md.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # noqa: F401 - imported before any pytester run, which forgets modules it saw imported
import jwt  # noqa: F401
import pycognito  # noqa: F401
import pytest
import requests  # noqa: F401

from emulator.pytest_plugin import CogitoServer
from tests.test_plugin import _preload_emulator  # noqa: F401 - autouse fixture for pytester runs

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# The pages whose Python runs (other pages are shell, YAML or JavaScript only).
PAGES = ["boto3.md", "concepts.md", "pycognito.md", "pytest.md", "seed.md", "migrating.md", "authorizers.md"]
# Features a doc block may wait for (none at the moment: Lambda triggers and the OAuth endpoints
# were here until they worked).
FEATURES: dict[str, str] = {}
PLACEHOLDER = "http://localhost:9229"
_MARKER = re.compile(r"<!--\s*snippet:\s*(?P<kind>needs|pytest)\s*(?P<arg>[\w-]*)\s*-->")


@dataclass
class Block:
    page: str
    line: int
    code: str
    pytest: bool = False
    needs: str | None = None

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def blocks(page: str) -> list[Block]:
    found: list[Block] = []
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start = i + 1
            end = next(j for j in range(start, len(lines)) if lines[j].strip() == "```")
            block = Block(page, start + 1, "\n".join(lines[start:end]) + "\n")
            j = i - 1
            while j >= 0 and (not lines[j].strip() or _MARKER.search(lines[j])):
                marker = _MARKER.search(lines[j])
                if marker and marker["kind"] == "pytest":
                    block.pytest = True
                elif marker:
                    block.needs = marker["arg"]
                j -= 1
            found.append(block)
            i = end
        i += 1
    return found


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> Iterator[CogitoServer]:
    """A fresh in-memory Cogito; dummy AWS credentials so no snippet can reach a real account."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    server = CogitoServer("sqlite://", "us-east-1")
    yield server
    server.stop()


def _address(server: CogitoServer) -> str:
    return server.url.replace("127.0.0.1", "localhost")  # pycognito compares issuers exactly


def _run(block: Block, namespace: dict[str, Any], server: CogitoServer, request: pytest.FixtureRequest) -> None:
    code = block.code.replace(PLACEHOLDER, _address(server))
    if block.pytest:
        pytester: pytest.Pytester = request.getfixturevalue("pytester")  # only pages with test files
        examples = pytester.path / "examples"
        if not examples.exists():
            shutil.copytree(ROOT / "examples", examples)
        name = f"test_doc_{block.page.removesuffix('.md')}_{block.line}"
        pytester.makepyfile(**{name: code})
        result = pytester.runpytest_inprocess(f"{name}.py", "-p", "no:cacheprovider")
        outcomes = result.parseoutcomes()
        if result.ret != 0 or not outcomes.get("passed"):
            raise AssertionError(f"{block.where}: the test file failed\n" + "\n".join(result.outlines[-30:]))
        return
    exec(compile(code, block.where, "exec"), namespace)  # noqa: S102 - our own docs


def _runnable(page: str) -> list[Block]:
    return [b for b in blocks(page) if b.needs is None]


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(page: str, live: CogitoServer, request: pytest.FixtureRequest) -> None:
    runnable = _runnable(page)
    assert runnable, f"docs/{page} has no runnable Python block"
    namespace: dict[str, Any] = {"__name__": f"docs_{page}"}
    for block in runnable:
        try:
            _run(block, namespace, live, request)
        except Exception as exc:  # noqa: BLE001 - say which block broke
            raise AssertionError(f"{block.where} failed: {type(exc).__name__}: {exc}") from exc


PENDING = [(page, b.line) for page in PAGES for b in blocks(page) if b.needs is not None]


@pytest.mark.parametrize(("page", "line"), PENDING)
def test_pending_block_still_needs_its_feature(page: str, line: int, live: CogitoServer,
                                               request: pytest.FixtureRequest) -> None:
    block = next(b for b in blocks(page) if b.line == line)
    assert block.needs in FEATURES, f"{block.where}: unknown feature {block.needs!r} (add it to FEATURES)"
    namespace: dict[str, Any] = {"__name__": f"docs_{page}"}
    for earlier in _runnable(page):
        _run(earlier, namespace, live, request)
    try:
        _run(block, namespace, live, request)
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"{block.where}: {FEATURES[block.needs]} ({type(exc).__name__})")
    pytest.fail(f"{block.where} works now: remove its '<!-- snippet: needs {block.needs} -->' marker and the "
                "doc's 'not yet' note")


def test_every_page_is_linked_from_the_index() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in [*PAGES, "configuration.md", "docker.md", "amplify.md", "COVERAGE.md"]:
        assert (DOCS / page).is_file(), f"docs/{page} is missing"
        assert f"]({page})" in index, f"docs/index.md does not link {page}"


def test_the_readme_links_the_docs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    for page in ("docs/index.md", "docs/configuration.md", "docs/pytest.md", "docs/docker.md", "docs/seed.md"):
        assert f"]({page})" in readme, f"README.md does not link {page}"


# --- the configuration reference ---------------------------------------------------------------

def _serve_flags() -> list[str]:
    from emulator.cli import _parser

    parser = _parser()
    serve = next(a for a in parser._actions if a.dest == "command").choices["serve"]  # type: ignore[attr-defined]
    return sorted(opt for action in serve._actions for opt in action.option_strings if opt.startswith("--")
                  and opt != "--help")


def _env_names() -> list[str]:
    names: set[str] = set()
    for path in (ROOT / "emulator").rglob("*.py"):
        names.update(re.findall(r"\bCOGITO_[A-Z][A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    return sorted(names)


def test_configuration_reference_names_every_setting() -> None:
    from emulator.settings import Settings

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [f"flag {flag}" for flag in _serve_flags() if f"`{flag}" not in text]
    missing += [f"environment variable {name}" for name in _env_names() if f"`{name}" not in text]
    missing += [f"setting {f.name}" for f in dataclasses.fields(Settings)
                if f.name != "extra" and f"`{f.name}`" not in text]
    assert not missing, "docs/configuration.md does not describe: " + ", ".join(missing)


def test_the_documented_log_line_is_what_cogito_writes(live: CogitoServer, caplog: pytest.LogCaptureFixture) -> None:
    """docs/configuration.md's log lines: operation, pool, user, outcome, milliseconds."""
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert "op=AdminCreateUser pool=eu-west-1_Example01 user=bob@example.com outcome=ok ms=" in text
    idp = live.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="logs")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    with caplog.at_level("INFO", logger="cogito.api"):
        idp.admin_create_user(UserPoolId=pool_id, Username="bob", MessageAction="SUPPRESS")
        with pytest.raises(idp.exceptions.UserNotFoundException):
            idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "no body", "PASSWORD": "x"})
    lines = [r.getMessage() for r in caplog.records if r.name == "cogito.api"]
    assert any(re.fullmatch(rf"op=AdminCreateUser pool={pool_id} user=bob outcome=ok ms=\d+\.\d", line)
               for line in lines), lines
    assert any(re.fullmatch(r'op=InitiateAuth pool=- user="no body" outcome=UserNotFoundException ms=\d+\.\d', line)
               for line in lines), lines
