"""Seed files: user pools, app clients, groups, users, resource servers, identity pools and
trigger mappings declared in YAML or JSON (``cogito serve --seed cogito.yaml``).

Members are the AWS API's own (``PoolName``, ``Policies``, ``ExplicitAuthFlows``...), checked
against botocore's model like a request, plus a few the API does not take: a pool's ``Id``,
a client's ``ClientId`` and ``ClientSecret``, a user's ``Password``/``Status``/``Groups``/``Sub``.
docs/seed.md describes the format; examples/cogito.yaml is a worked example.

Applying a seed is an upsert, all in one transaction: what is missing is created, what
exists is brought to the seed's values, nothing is deleted. Objects are made by the same
helpers and handlers the API uses (pool_config, schema, client_config, usernames.create_user,
attributes.validate_new, CreateGroup, AdminAddUserToGroup, UpdateIdentityPool...), so the
rules live in one place. A second application changes nothing, timestamps included.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from emulator.context import Context
from emulator.errors import CognitoError
from emulator.protocol import registry, specs
from emulator.protocol.validate import summary, validation_errors
from emulator.settings import Settings
from emulator.store.engine import Store

Params = dict[str, Any]
TOP_KEYS = ("Version", "Region", "UserPools", "IdentityPools")
POOL_EXTRAS = ("Id", "Triggers", "ResourceServers", "Clients", "Groups", "Users")
USER_KEYS = ("Username", "Password", "Attributes", "Status", "Enabled", "Groups", "Sub")
USER_STATUSES = ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED")
IDENTITY_EXTRAS = ("IdentityPoolId", "Roles", "RoleMappings")
_REGION = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class SeedError(ValueError):
    """A seed that cannot be applied; the message names the entry (``UserPools[0].Users[2]``)."""


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated"


def parse(text: str, name: str = "seed") -> Params:
    """A seed document from YAML or JSON text (a ``.json`` name is read as JSON; YAML reads JSON too)."""
    try:
        if name.endswith(".json"):
            doc = json.loads(text)
        else:
            import yaml

            doc = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - yaml and json raise many kinds; all mean the same
        raise SeedError(f"{name}: not valid YAML or JSON: {str(exc).splitlines()[0]}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise SeedError(f"{name}: a seed is a mapping with UserPools and/or IdentityPools.")
    return doc


def load(path: str | Path) -> Params:
    """Read and parse a seed file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror or exc}") from None
    return parse(text, path.name)


def apply(store: Store, settings: Settings, doc: Params, now: float, *, password_policy: bool = True) -> SeedReport:
    """Apply ``doc`` in one transaction (all or nothing); what was created and updated.

    ``password_policy=False`` takes passwords the pool's policy would refuse: importers use
    it for passwords another emulator already accepted.
    """
    report = SeedReport()
    try:
        with store.transaction(write=True) as db:
            Seeder(settings, db, now, report, password_policy=password_policy).run(doc)
    except IntegrityError as exc:
        raise SeedError(f"the seed conflicts with existing data: {str(exc.orig).splitlines()[0]}") from None
    return report


def apply_file(store: Store, settings: Settings, path: str | Path, now: float) -> SeedReport:
    return apply(store, settings, load(path), now)


def region_of_pool(pool_id: str, default: str) -> str:
    """``eu-west-1_abc`` -> eu-west-1; an id without a region prefix (``local_abc``) -> ``default``."""
    prefix = pool_id.partition("_")[0]
    return prefix if _REGION.match(prefix) else default


def attribute_list(given: Any, where: str) -> list[dict[str, str]]:
    """Attributes as a mapping or as ``[{Name, Value}]``; YAML booleans and numbers become strings."""
    if given is None:
        return []
    items = given.items() if isinstance(given, dict) else None
    if items is None:
        if not isinstance(given, list) or not all(isinstance(a, dict) and "Name" in a for a in given):
            raise SeedError(f"{where}.Attributes: a mapping of name -> value, or a list of {{Name, Value}}.")
        items = [(a["Name"], a.get("Value", "")) for a in given]
    result = []
    for name, value in items:
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = str(value)
        elif not isinstance(value, str):
            raise SeedError(f"{where}.Attributes.{name}: a value must be a string.")
        result.append({"Name": str(name), "Value": value})
    return result


class Seeder:
    """One application of a seed inside one transaction."""

    def __init__(self, settings: Settings, db: Session, now: float, report: SeedReport, *,
                 password_policy: bool = True) -> None:
        self.settings, self.db, self.now, self.report = settings, db, now, report
        self.default_region = settings.region
        self.password_policy = password_policy

    # --- plumbing -----------------------------------------------------------------------

    def ctx(self, service: str, operation: str, region: str) -> Context:
        return Context(settings=self.settings, db=self.db, service=service, operation=operation, region=region,
                       account_id=self.settings.account_id, request_id="seed", now=self.now,
                       base_url=f"http://{self.settings.host}:{self.settings.port}")

    def check(self, service: str, operation: str, params: Params, where: str) -> None:
        """Check ``params`` against the model's input shape of ``operation``, as a request would be."""
        spec = specs.get_spec(service)
        try:
            problems = validation_errors(spec, spec.input_shape(operation), params)
        except CognitoError as err:
            raise SeedError(f"{where}: {err.message}") from None
        if problems:
            raise SeedError(f"{where}: {summary(problems)}")

    def call(self, service: str, operation: str, params: Params, region: str, where: str) -> Params:
        """Run an API handler as a request would (model check first); its errors name ``where``."""
        self.check(service, operation, params, where)
        op = registry.lookup(service, operation)
        if op is None:
            raise SeedError(f"{where}: this Cogito does not implement {operation} yet.")
        with self.at(where):
            return op.handler(self.ctx(service, operation, region), params) or {}

    @contextmanager
    def at(self, where: str) -> Iterator[None]:
        try:
            yield
        except CognitoError as err:
            raise SeedError(f"{where}: {err.code}: {err.message.strip()}") from None

    def quietly(self, row: Any, action: Callable[[], Any]) -> bool:
        """Run an update; when it changed nothing but ``modified``, put ``modified`` back."""
        names = [attr.key for attr in inspect(row).mapper.column_attrs]
        before = {name: copy.deepcopy(getattr(row, name)) for name in names}
        action()
        self.db.flush()
        changed = [n for n in names if n != "modified" and getattr(row, n) != before[n]]
        if not changed and "modified" in before:
            row.modified = before["modified"]
        return bool(changed)

    def note(self, created: bool, changed: bool, label: str) -> None:
        if created:
            self.report.created.append(label)
        elif changed:
            self.report.updated.append(label)

    @staticmethod
    def entries(parent: Params, key: str, where: str) -> list[tuple[str, Params]]:
        value = parent.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise SeedError(f"{where}{key}: a list of mappings.")
        return [(f"{where}{key}[{i}]", v) for i, v in enumerate(value)]

    @staticmethod
    def members(service: str, operation: str) -> set[str]:
        spec = specs.get_spec(service)
        shape = spec.input_shape(operation)
        return set(spec.shapes[shape].get("members", {})) if shape else set()

    def only(self, entry: Params, allowed: set[str], where: str) -> None:
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise SeedError(f"{where}: unknown member {unknown[0]!r} (known: {', '.join(sorted(allowed))}).")

    # --- the document -------------------------------------------------------------------

    def run(self, doc: Params) -> None:
        self.only(doc, set(TOP_KEYS), "seed")
        if doc.get("Version", 1) != 1:
            raise SeedError(f"seed: unsupported Version {doc['Version']!r} (this Cogito reads 1).")
        region = doc.get("Region")
        if region is not None:
            if not isinstance(region, str) or not _REGION.match(region):
                raise SeedError(f"seed.Region: {region!r} is not a region name like eu-west-1.")
            self.default_region = region
        from emulator.state.seed_parts import seed_identity_pool, seed_user_pool

        for where, entry in self.entries(doc, "UserPools", ""):
            seed_user_pool(self, entry, where)
        for where, entry in self.entries(doc, "IdentityPools", ""):
            seed_identity_pool(self, entry, where)


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))

