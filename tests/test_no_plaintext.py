"""No plaintext password in the store, the state export or the log.

One real ``cogito serve`` (SQLite file, and PostgreSQL when COGITO_TEST_DATABASE_URL is set;
``--log-level debug``, its log captured) gets a distinctive password through every path that
sets one: a seed file at start-up, a cognito-local import, POST /_cogito/seed, AdminCreateUser's
TemporaryPassword, AdminSetUserPassword (temporary and permanent), SignUp,
ConfirmForgotPassword, ChangePassword, the NEW_PASSWORD_REQUIRED answer, the Hosted UI's
sign-up, new-password and reset forms, and the console's create-user and set-password forms.
Each is then used to sign in (so it was really set, and the sign-in path is covered too).
Then the passwords are looked for in the database (the SQLite file's bytes, WAL included, or
every table of the PostgreSQL schema as ``row_to_json``), in GET /_cogito/state and in the
whole log.

The one exception, as documented: an invitation that AdminCreateUser sends carries the
temporary password (that is what Cognito e-mails), so the outbox keeps it, and the log line
of that message names it as the message's code. Such passwords may appear there and nowhere
else; the test checks both halves.
"""

from __future__ import annotations

import binascii
import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from tests.conftest import BACKENDS, _private_schema
from tests.hostedui_support import OAuthPool, csrf_of, hidden
from tests.test_cli import ROOT, Cli, cogito_command

FIXTURE = Path(__file__).parent / "fixtures" / "cognito-local"
LOCAL_CLIENT = "5ld4eb1rl3kd9nn2r1e6np7rqb"  # the fixture's client of local_5g0QwGmE


def distinctive(label: str) -> str:
    """A password nothing else could contain, meeting the default policy."""
    return f"Pw{label}-{uuid.uuid4().hex[:12]}!A1"


class Passwords:
    """Every password set, and which of them Cognito would have e-mailed in an invitation."""

    def __init__(self) -> None:
        self.secret: dict[str, str] = {}  # label -> password that must appear nowhere
        self.invited: dict[str, str] = {}  # label -> temporary password an invitation carried

    def new(self, label: str) -> str:
        self.secret[label] = distinctive(label)
        return self.secret[label]


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Cli, str, Passwords]]:
    passwords = Passwords()
    if request.param == "sqlite":
        db_url = f"sqlite:///{tmp_path / 'plain.db'}"
    else:
        db_url = _private_schema(os.environ["COGITO_TEST_DATABASE_URL"], request)
    # cognito-local keeps plaintext passwords; the import must not.
    local = tmp_path / "cognito-local"
    shutil.copytree(FIXTURE, local)
    pool_file = local / ".cognito" / "db" / "local_5g0QwGmE.json"
    data = pool_file.read_text().replace("test-Password!", passwords.new("local"))
    pool_file.write_text(data.replace("Pending-Passw0rd", passwords.new("localpending")))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COGITO_")}
    env["PYTHONPATH"] = str(ROOT)
    imported = subprocess.run([*cogito_command(), "import-cognito-local", str(local), "--db", db_url,
                               "--region", "eu-west-1"], env=env, capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    seed = tmp_path / "seed.yaml"
    seed.write_text(f"""
UserPools:
  - Id: eu-west-1_Plain0001
    PoolName: plain
    Clients:
      - {{ClientId: plain0client, ClientName: plain, ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH]}}
    Users:
      - {{Username: seeded, Password: "{passwords.new('seedfile')}"}}
""")
    cli = Cli("--db", db_url, "--seed", str(seed), "--log-level", "debug")
    try:
        cli.wait_ready()
        yield cli, db_url, passwords
    finally:
        cli.stop()


def _clients(url: str) -> tuple[Any, Any]:
    kwargs = dict(endpoint_url=url, region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s",
                  config=Config(retries={"max_attempts": 1}))
    return boto3.client("cognito-idp", **kwargs), kwargs


def _sign_in(idp: Any, client_id: str, username: str, password: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


def _code(url: str, pool_id: str, username: str, kind: str) -> str:
    found = requests.get(f"{url}/_cogito/messages", params={"pool_id": pool_id, "username": username, "kind": kind},
                         timeout=10).json()["messages"]
    return found[0]["code"]


def set_every_password(cli: Cli, pw: Passwords) -> None:
    url = cli.url
    idp, _ = _clients(url)
    # Start-up seed and cognito-local import: the passwords work.
    assert _sign_in(idp, "plain0client", "seeded", pw.secret["seedfile"])["AuthenticationResult"]
    assert _sign_in(idp, LOCAL_CLIENT, "test-user@example.com", pw.secret["local"])["AuthenticationResult"]
    # POST /_cogito/seed on the running server.
    seeded = requests.post(f"{url}/_cogito/seed", timeout=30, data=f"""
UserPools:
  - Id: eu-west-1_Plain0002
    PoolName: plain-two
    Clients:
      - {{ClientId: plain1client, ClientName: plain, ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH]}}
    Users:
      - {{Username: posted, Password: "{pw.new('seedapi')}"}}
""")
    assert seeded.status_code == 200, seeded.text
    assert _sign_in(idp, "plain1client", "posted", pw.secret["seedapi"])["AuthenticationResult"]

    # The API paths, in one pool with e-mail recovery and a Hosted UI client.
    oauth = OAuthPool(idp, cli, AutoVerifiedAttributes=["email"])
    pool_id = oauth.pool_id
    api = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="api", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]

    def email(name: str) -> list[dict[str, str]]:
        return [{"Name": "email", "Value": f"{name}@example.com"}, {"Name": "email_verified", "Value": "true"}]

    # AdminCreateUser, suppressed: the temporary password, then the NEW_PASSWORD_REQUIRED answer.
    idp.admin_create_user(UserPoolId=pool_id, Username="newbie", MessageAction="SUPPRESS",
                          TemporaryPassword=pw.new("temporary"), UserAttributes=email("newbie"))
    challenge = _sign_in(idp, api, "newbie", pw.secret["temporary"])
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answered = idp.respond_to_auth_challenge(ClientId=api, ChallengeName="NEW_PASSWORD_REQUIRED",
                                             Session=challenge["Session"], ChallengeResponses={
                                                 "USERNAME": "newbie", "NEW_PASSWORD": pw.new("newpassword")})
    assert answered["AuthenticationResult"]
    # ChangePassword with the access token.
    idp.change_password(AccessToken=answered["AuthenticationResult"]["AccessToken"],
                        PreviousPassword=pw.secret["newpassword"], ProposedPassword=pw.new("changed"))
    assert _sign_in(idp, api, "newbie", pw.secret["changed"])["AuthenticationResult"]
    # AdminSetUserPassword, temporary then permanent.
    idp.admin_set_user_password(UserPoolId=pool_id, Username="newbie", Password=pw.new("admintemporary"),
                                Permanent=False)
    assert _sign_in(idp, api, "newbie", pw.secret["admintemporary"])["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    idp.admin_set_user_password(UserPoolId=pool_id, Username="newbie", Password=pw.new("adminpermanent"),
                                Permanent=True)
    assert _sign_in(idp, api, "newbie", pw.secret["adminpermanent"])["AuthenticationResult"]
    # SignUp, confirmed with its code.
    idp.sign_up(ClientId=api, Username="joiner", Password=pw.new("signup"),
                UserAttributes=[{"Name": "email", "Value": "joiner@example.com"}])
    idp.confirm_sign_up(ClientId=api, Username="joiner", ConfirmationCode=_code(url, pool_id, "joiner", "SIGNUP"))
    assert _sign_in(idp, api, "joiner", pw.secret["signup"])["AuthenticationResult"]
    # ForgotPassword / ConfirmForgotPassword.
    idp.forgot_password(ClientId=api, Username="joiner")
    idp.confirm_forgot_password(ClientId=api, Username="joiner", Password=pw.new("recovered"),
                                ConfirmationCode=_code(url, pool_id, "joiner", "FORGOT_PASSWORD"))
    assert _sign_in(idp, api, "joiner", pw.secret["recovered"])["AuthenticationResult"]

    # Invitations: a given temporary password, and a generated one, e-mailed as Cognito does.
    pw.invited["invitegiven"] = distinctive("invitegiven")
    idp.admin_create_user(UserPoolId=pool_id, Username="guest", TemporaryPassword=pw.invited["invitegiven"],
                          DesiredDeliveryMediums=["EMAIL"], UserAttributes=email("guest"))
    idp.admin_create_user(UserPoolId=pool_id, Username="visitor", DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=email("visitor"))
    pw.invited["invitegenerated"] = _code(url, pool_id, "visitor", "INVITATION")
    assert _sign_in(idp, api, "visitor", pw.invited["invitegenerated"])["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    # The Hosted UI: sign-up, the new-password step, the reset form.
    web = oauth.client()
    browser = requests.Session()
    form = browser.get(f"{url}/signup", params=oauth.authorize_params(web), timeout=10)
    query = form.url.split("?", 1)[1]
    sent = browser.post(f"{url}/signup?{query}", timeout=10, allow_redirects=False, data={
        "_csrf": csrf_of(form.text), "username": "webjoiner", "password": pw.new("hostedsignup"),
        "requiredAttributes[email]": "webjoiner@example.com"})
    assert sent.status_code == 200 and 'name="code"' in sent.text, sent.text
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="webjoiner")
    assert _sign_in(idp, api, "webjoiner", pw.secret["hostedsignup"])["AuthenticationResult"]
    idp.admin_create_user(UserPoolId=pool_id, Username="webinvited", MessageAction="SUPPRESS",
                          TemporaryPassword=pw.new("hostedtemporary"), UserAttributes=email("webinvited"))
    page = oauth.sign_in(web, "webinvited", pw.secret["hostedtemporary"], browser=browser)
    assert page.status_code == 200 and 'name="newPassword"' in page.text, page.text
    new = pw.new("hostedforce")
    done = browser.post(page.url.replace("/login?", "/forceChangePassword?"), timeout=10, allow_redirects=False,
                        data={"_csrf": csrf_of(page.text), "session": hidden(page.text, "session"),
                              "username": "webinvited", "newPassword": new, "confirmPassword": new})
    assert done.status_code == 302, done.text
    forgot = browser.get(f"{url}/forgotPassword", params=oauth.authorize_params(web), timeout=10)
    query = forgot.url.split("?", 1)[1]
    asked = browser.post(f"{url}/forgotPassword?{query}", timeout=10, allow_redirects=False,
                         data={"_csrf": csrf_of(forgot.text), "username": "webinvited"})
    assert asked.status_code == 200, asked.text
    reset = pw.new("hostedreset")
    done = browser.post(f"{url}/confirmForgotPassword?{query}", timeout=10, allow_redirects=False, data={
        "_csrf": csrf_of(asked.text), "username": "webinvited", "password": reset, "confirmPassword": reset,
        "code": _code(url, pool_id, "webinvited", "FORGOT_PASSWORD")})
    assert done.status_code == 200 and "Your password has been reset" in done.text, done.text
    assert _sign_in(idp, api, "webinvited", reset)["AuthenticationResult"]

    # The console: create with a permanent password, then set another.
    created = requests.post(f"{url}/console/pools/{pool_id}/users", timeout=10, allow_redirects=False, data={
        "username": "operator", "password": pw.new("consolecreate"), "permanent": "on", "delivery": "SUPPRESS"})
    assert created.status_code == 303, created.text
    assert _sign_in(idp, api, "operator", pw.secret["consolecreate"])["AuthenticationResult"]
    changed = requests.post(f"{url}/console/pools/{pool_id}/users/operator/actions/set-password", timeout=10,
                            allow_redirects=False, data={"password": pw.new("consoleset"), "permanent": "on"})
    assert changed.status_code == 303 and "error=" not in changed.headers["Location"], changed.headers
    assert _sign_in(idp, api, "operator", pw.secret["consoleset"])["AuthenticationResult"]


def _forms(password: str) -> list[bytes]:
    """How a password could sit in a file: UTF-8, UTF-16 (SQLite may use it), hex."""
    raw = password.encode()
    return [raw, password.encode("utf-16-le"), binascii.hexlify(raw)]


def _database_texts(db_url: str) -> dict[str, bytes]:
    """What the database holds: the SQLite files' bytes, or each PostgreSQL table as JSON rows."""
    if db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[1])
        return {p.name: p.read_bytes() for p in path.parent.glob(path.name + "*")}
    from sqlalchemy import create_engine, text

    from emulator.store.engine import normalise_url

    engine = create_engine(normalise_url(db_url))
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = current_schema()")).scalars().all()
            assert "users" in names and "outbox" in names, names
            found = {}
            for name in names:
                rows = conn.execute(text(f'SELECT row_to_json(t)::text FROM "{name}" t')).scalars().all()
                found[name] = "\n".join(rows).encode()
            return found
    finally:
        engine.dispose()


def _sqlite_tables(db_url: str) -> dict[str, bytes]:
    """The SQLite database table by table (to place an invitation's password in the outbox)."""
    import sqlite3

    conn = sqlite3.connect(db_url.split("///", 1)[1])
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: repr(conn.execute(f"SELECT * FROM {n}").fetchall()).encode() for n in names}
    finally:
        conn.close()


def test_no_plaintext_password_anywhere(world: tuple[Cli, str, Passwords]) -> None:
    cli, db_url, pw = world
    set_every_password(cli, pw)
    assert len(pw.secret) >= 15 and len(pw.invited) == 2
    state = requests.get(f"{cli.url}/_cogito/state", timeout=60)
    assert state.status_code == 200
    stored = _database_texts(db_url)
    by_table = _sqlite_tables(db_url) if db_url.startswith("sqlite") else stored
    cli.stop()  # the whole log, flushed
    log = "".join(cli.log)
    assert "op=InitiateAuth" in log or "InitiateAuth" in log  # the log did record the calls

    for label, password in pw.secret.items():
        for name, content in stored.items():
            assert not any(form in content for form in _forms(password)), f"{label} password in {name}"
        assert password not in state.text, f"{label} password in GET /_cogito/state"
        assert password not in log, f"{label} password in the log"

    doc = state.json()
    for label, password in pw.invited.items():
        holding = {name for name, content in by_table.items() if password.encode() in content}
        assert holding == {"outbox"}, f"{label} invitation password in {holding}"
        sections = {name for name, rows in doc["tables"].items() if password in json.dumps(rows)}
        assert sections == {"outbox"}, f"{label} invitation password in exported {sections}"
        lines = [line for line in log.splitlines() if password in line]
        assert lines and all(re.search(r"message INVITATION EMAIL", line) for line in lines), lines
