"""pytest plugin (installed with the package): a ``cogito`` fixture with a live, in-memory Cogito.

::

    def test_sign_up(cogito):
        idp = cogito.cognito_idp                       # boto3, already pointed at the emulator
        pool = idp.create_user_pool(PoolName="p")["UserPool"]["Id"]
        ...
        assert cogito.last_code("alice", pool_id=pool)  # the code Cognito would have e-mailed

The emulator starts once per test session (in-process, on a free port, ``sqlite://`` in
memory) and is emptied before each test. Settings, in pytest.ini / pyproject's
``[tool.pytest.ini_options]``:

- ``cogito_reset``: ``function`` (default: before every test), ``module`` or ``session``;
- ``cogito_seed``: a seed file applied after each reset (docs/seed.md);
- ``cogito_db``: database URL (default ``sqlite://``); ``cogito_region`` (default us-east-1).

Per test: ``@pytest.mark.cogito(reset="module", seed="tests/cogito.yaml")``. See docs/pytest.md.

Only pytest is imported when the plugin loads; the emulator and boto3 load with the fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.seed import SeedReport
    from emulator.server_state import ServerState

RESET_SCOPES = ("function", "module", "session")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("cogito_reset", "when the cogito fixture empties the emulator: function (default), module, session",
                  default="function")
    parser.addini("cogito_seed", "a Cogito seed file (YAML/JSON) applied after each reset", default="")
    parser.addini("cogito_db", "database URL of the plugin's emulator (default sqlite:// in memory)",
                  default="sqlite://")
    parser.addini("cogito_region", "region of the boto3 clients and the emulator's default", default="us-east-1")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cogito(reset=None, seed=None): per-test options of the cogito fixture: reset scope "
        "(function, module, session) and a seed file applied before the test",
    )


class CogitoServer:
    """One emulator for the test session: the Flask app served by werkzeug in a thread."""

    def __init__(self, db_url: str, region: str) -> None:
        from werkzeug.serving import make_server

        from emulator.app import create_app, state_of
        from emulator.settings import Settings

        self.region = region
        self.app = create_app(Settings(db_url=db_url, region=region, log_level="warning"))
        self.state: ServerState = state_of(self.app)
        self.httpd = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="cogito", daemon=True)
        self.thread.start()
        self.reset_key: object = None
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client for ``service`` pointed at this emulator (made once, then reused)."""
        key = (service, region or self.region)
        if key not in self._clients:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:  # pragma: no cover - boto3 is the caller's dependency
                raise pytest.UsageError("the cogito fixture's clients need boto3: pip install boto3") from None
            self._clients[key] = boto3.client(
                service, endpoint_url=self.url, region_name=key[1], aws_access_key_id="test",
                aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
            )
        return self._clients[key]

    def reset(self) -> None:
        self.state.store.reset()
        self.state.clock.reset()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.state.store.dispose()


class Cogito:
    """What a test gets from the ``cogito`` fixture."""

    def __init__(self, server: CogitoServer) -> None:
        self.server = server
        self.url = server.url
        self.region = server.region
        self._triggers: list[str] = []

    # --- clients and state -------------------------------------------------------------

    @property
    def cognito_idp(self) -> Any:
        """boto3 ``cognito-idp`` client (user pools) pointed at the emulator."""
        return self.server.client("cognito-idp")

    @property
    def cognito_identity(self) -> Any:
        """boto3 ``cognito-identity`` client (identity pools) pointed at the emulator."""
        return self.server.client("cognito-identity")

    def client(self, service: str, region: str | None = None) -> Any:
        """Any boto3 client (``sts``, or another region) pointed at the emulator."""
        return self.server.client(service, region)

    @property
    def state(self) -> "ServerState":
        return self.server.state

    def reset(self) -> None:
        """Empty the emulator now (pools, users, keys, messages) and restart the clock."""
        self.server.reset()

    def seed(self, source: str | Path | dict[str, Any]) -> "SeedReport":
        """Apply a seed file (or an already parsed seed document); an upsert (docs/seed.md)."""
        from emulator import seed

        doc = source if isinstance(source, dict) else seed.load(source)
        return seed.apply(self.state.store, self.state.settings, doc, self.state.clock.now())

    def export_state(self) -> dict[str, Any]:
        from emulator.state import snapshot

        return snapshot.export_state(self.state.store, now=self.state.clock.now())

    def import_state(self, doc: dict[str, Any]) -> int:
        from emulator.state import snapshot

        return snapshot.import_state(self.state.store, doc)

    # --- the outbox --------------------------------------------------------------------

    def messages(self, username: str | None = None, *, pool_id: str | None = None,
                 kind: str | None = None) -> list[dict[str, Any]]:
        """What Cognito would have e-mailed or texted, newest first. ``username`` matches the
        username or the destination (the e-mail or phone number)."""
        from sqlalchemy import or_, select

        from emulator.userpool import outbox
        from emulator.userpool.directory_models import Message

        query = select(Message)
        if username is not None:
            query = query.where(or_(Message.username == username, Message.destination == username))
        if pool_id is not None:
            query = query.where(Message.pool_id == pool_id)
        if kind is not None:
            query = query.where(Message.kind == kind)
        with self.state.store.transaction(write=False) as db:
            return [outbox.as_json(m) for m in db.scalars(query.order_by(Message.id.desc()))]

    def last_message(self, username: str | None = None, *, pool_id: str | None = None,
                     kind: str | None = None) -> dict[str, Any] | None:
        found = self.messages(username, pool_id=pool_id, kind=kind)
        return found[0] if found else None

    def last_code(self, username: str | None = None, *, pool_id: str | None = None,
                  kind: str | None = None) -> str | None:
        """The code in the newest message to ``username`` that carries one (sign-up, reset, MFA...)."""
        for message in self.messages(username, pool_id=pool_id, kind=kind):
            if message["code"]:
                return str(message["code"])
        return None

    # --- the clock ---------------------------------------------------------------------

    def now(self) -> float:
        return self.state.clock.now()

    def freeze(self, at: float | None = None) -> float:
        """Stop the emulator's clock (at ``at``, epoch seconds, or now); returns the frozen instant."""
        self.state.clock.freeze(at)
        return self.state.clock.now()

    def advance(self, seconds: float) -> float:
        """Move the clock forward (frozen or not): tokens, codes and temporary passwords age."""
        self.state.clock.advance(seconds)
        return self.state.clock.now()

    def unfreeze(self) -> None:
        """Back to wall time (also done after every test)."""
        self.state.clock.reset()

    # --- Lambda triggers ---------------------------------------------------------------

    def register_trigger(self, pool_id: str, trigger: str, fn: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
        """Map the pool's ``trigger`` (PreSignUp, PreTokenGeneration, ...) to the Python callable ``fn``.

        The pool's LambdaConfig gets a function ARN for it and ``fn`` is registered under
        that ARN (``emulator.state.functions``) for the test's duration; the trigger invoker
        calls it in-process when the trigger fires, for the triggers this Cogito invokes
        (docs/pytest.md says whether that is so yet).
        """
        import copy

        from emulator.seed import region_of_pool
        from emulator.state import functions
        from emulator.state.seed_parts import trigger_names
        from emulator.userpool.models import UserPool

        names = trigger_names()
        if trigger not in names:
            raise ValueError(f"unknown trigger {trigger!r}: one of {', '.join(names)}")
        region = region_of_pool(pool_id, self.region)
        arn = f"arn:aws:lambda:{region}:{self.state.settings.account_id}:function:pytest-{pool_id}-{trigger}"
        with self.state.store.transaction(write=True) as db:
            pool = db.get(UserPool, pool_id)
            if pool is None:
                raise LookupError(f"no user pool {pool_id}")
            config = copy.deepcopy(pool.config)
            config.setdefault("LambdaConfig", {})[trigger] = arn
            pool.config = config
        functions.register(arn, fn)
        self._triggers.append(arn)
        return arn

    def _finish(self) -> None:
        from emulator.state import functions

        for arn in self._triggers:
            functions.unregister(arn)
        self._triggers.clear()
        self.state.clock.reset()


@pytest.fixture(scope="session")
def cogito_server(pytestconfig: pytest.Config) -> Iterator[CogitoServer]:
    """The session's emulator (use ``cogito`` in tests; this one is for plugins and fixtures)."""
    server = CogitoServer(str(pytestconfig.getini("cogito_db") or "sqlite://"),
                          str(pytestconfig.getini("cogito_region") or "us-east-1"))
    yield server
    server.stop()


def _base(config: pytest.Config) -> Path:
    """Relative seed paths are read from the ini file's folder (else the rootdir)."""
    return Path(config.inipath).parent if config.inipath else Path(config.rootpath)


def _reset_key(scope: str, request: pytest.FixtureRequest) -> object:
    if scope == "function":
        return ("function", request.node.nodeid)
    if scope == "module":
        return ("module", request.node.nodeid.split("::", 1)[0])
    return ("session",)


@pytest.fixture
def cogito(cogito_server: CogitoServer, request: pytest.FixtureRequest) -> Iterator[Cogito]:
    """A live Cogito (in memory), emptied before each test unless cogito_reset says otherwise."""
    marker = request.node.get_closest_marker("cogito")
    options = dict(marker.kwargs) if marker else {}
    scope = str(options.get("reset") or request.config.getini("cogito_reset") or "function")
    if scope not in RESET_SCOPES:
        raise pytest.UsageError(f"cogito reset scope {scope!r}: use one of {', '.join(RESET_SCOPES)}")
    helper = Cogito(cogito_server)
    key = _reset_key(scope, request)
    if key != cogito_server.reset_key:
        cogito_server.reset()
        cogito_server.reset_key = key
        ini_seed = str(request.config.getini("cogito_seed") or "")
        if ini_seed:
            helper.seed(_base(request.config) / ini_seed)
    if options.get("seed"):
        helper.seed(_base(request.config) / str(options["seed"]))
    try:
        yield helper
    finally:
        helper._finish()
