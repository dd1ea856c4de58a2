"""The Docker image's recipe, checked without Docker: the Dockerfile's shape, its ENV and CMD
run for real as a process, its HEALTHCHECK command run against it, and compose.yaml.

Building and probing the image itself needs root and a Docker daemon: docker/ci-smoke.sh does
that in CI (.ci/run).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import requests
import yaml

from tests.test_cli import Cli, free_port

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "docker" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined: list[str] = []
    current = ""
    for line in DOCKERFILE.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip().removesuffix("\\") + " " if line.rstrip().endswith("\\") else line
        if not line.rstrip().endswith("\\"):
            joined.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1] if " " in text else "") for text in joined]


def env_of() -> dict[str, str]:
    env: dict[str, str] = {}
    for kind, args in instructions():
        if kind == "ENV":
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                env[key] = value
    return env


def test_dockerfile_starts_as_the_ci_base_image_requires() -> None:
    lines = DOCKERFILE.read_text().splitlines()
    assert lines[0] == "ARG BASE_IMAGE=python:3.12-slim"
    assert lines[1] == "FROM ${BASE_IMAGE}"
    text = DOCKERFILE.read_text()
    assert "<<" not in text and not re.search(r"^#\s*syntax=", text, re.M)  # plain syntax for the legacy builder


def test_dockerfile_runs_unprivileged_with_state_in_data() -> None:
    found = instructions()
    kinds = [k for k, _ in found]
    user = [a for k, a in found if k == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert kinds.index("USER") > kinds.index("RUN")  # installs as root, runs as the user
    assert env_of()["COGITO_DB"] == "sqlite:////data/cogito.db"
    assert env_of()["COGITO_HOST"] == "0.0.0.0" and env_of()["COGITO_PORT"] == "9229"
    assert ("VOLUME", '["/data"]') in found and ("EXPOSE", "9229") in found
    assert ("ENTRYPOINT", '["cogito"]') in found and ("CMD", '["serve", "--host", "0.0.0.0"]') in found
    healthcheck = next(a for k, a in found if k == "HEALTHCHECK")
    assert "/_cogito/health" in healthcheck


def test_dockerignore_keeps_the_build_context_small() -> None:
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert {".git", ".venv", ".cogito", "tests"} <= set(ignored)
    assert "emulator" not in ignored and "pyproject.toml" not in ignored and "README.md" not in ignored


def test_the_images_command_and_healthcheck_work(tmp_path: Path) -> None:
    """The image's ENV and CMD as a process (its /data replaced by a temporary folder), then
    its HEALTHCHECK command, verbatim, against it."""
    env = env_of()
    port = free_port()
    db_url = env["COGITO_DB"].replace("/data/", f"{tmp_path}/")
    cli = Cli("--host", env["COGITO_HOST"], "--db", db_url)  # the image's CMD and ENV; Cli adds --port
    try:
        cli.wait_ready()
        assert requests.get(f"{cli.url}/_cogito/health?deep=1", timeout=30).status_code == 200
        healthcheck = next(a for k, a in instructions() if k == "HEALTHCHECK")
        command = healthcheck.split(" CMD ", 1)[1].removesuffix(" || exit 1")
        run_env = dict(os.environ, COGITO_PORT=str(cli.port))
        done = subprocess.run(["sh", "-c", command], env=run_env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "cogito.db").exists()
    finally:
        cli.stop()
    dead = subprocess.run(["sh", "-c", command], env=dict(os.environ, COGITO_PORT=str(port)),
                          capture_output=True, text=True, timeout=30)
    assert dead.returncode != 0  # nothing listening: the healthcheck says so


def test_compose_file() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    cogito, postgres = compose["services"]["cogito"], compose["services"]["postgres"]
    assert cogito["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
    assert "cogito-data:/data" in cogito["volumes"]
    assert cogito["environment"]["COGITO_DB"] == "${COGITO_DB:-sqlite:////data/cogito.db}"
    assert cogito["depends_on"]["postgres"] == {"condition": "service_healthy", "required": False}
    assert postgres["profiles"] == ["postgres"]  # optional: only with --profile postgres
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert set(compose["volumes"]) == {"cogito-data", "postgres-data"}
