"""The web console over HTTP: every page answers, shows what the emulator holds, and every action
changes state exactly as the AWS operation it stands for (checked back through boto3)."""

from __future__ import annotations

import base64
import html
import json
import re
import tomllib
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!x"
FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ROLE = "arn:aws:iam::000000000000:role/Editors"


class Console:
    """A person's browser, minus the rendering: GETs and same-origin form POSTs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.base + path, params=params or None)

    def post(self, path: str, data: dict[str, Any], **headers: str) -> requests.Response:
        return self.http.post(self.base + path, data=data, headers={"Origin": self.base, **headers})


def text_of(resp: requests.Response) -> str:
    return html.unescape(resp.text)


def claims_of(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture
def web(server: Any) -> Console:
    return Console(server.url)


@pytest.fixture
def app_client(idp: Any, pool: dict[str, Any]) -> str:
    return idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web", ExplicitAuthFlows=FLOWS)[
        "UserPoolClient"]["ClientId"]


def make_user(idp: Any, pool_id: str, username: str = "alice", *, email: str | None = "alice@example.com",
              permanent: bool = True) -> None:
    attrs = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}] if email else []
    idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS",
                          TemporaryPassword=PASSWORD)
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def sign_in(idp: Any, pool_id: str, client_id: str, username: str = "alice") -> dict[str, Any]:
    return idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]


def user_status(idp: Any, pool_id: str, username: str = "alice") -> tuple[str, bool]:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return user["UserStatus"], user["Enabled"]


# --- Pages -------------------------------------------------------------------------------------

def test_home_and_pool_list_show_every_pool(web: Console, pool: dict[str, Any], idp: Any) -> None:
    make_user(idp, pool["Id"])
    home = web.get("/console/")
    assert home.status_code == 200 and "Token inspector" in home.text
    assert home.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert home.headers["X-Frame-Options"] == "DENY"
    listing = web.get("/console/pools")
    assert listing.status_code == 200
    row = re.search(rf"{re.escape(pool['Name'])}.*?{pool['Id']}.*?eu-west-1.*?>1<", listing.text, re.DOTALL)
    assert row, "the pool, its region and its one user are listed"


def test_static_files_are_served(web: Console) -> None:
    assert "countdown" in web.get("/console/static/console.js").text
    assert web.get("/console/static/console.css").status_code == 200


def test_pool_page_shows_settings_clients_groups_and_keys(web: Console, pool: dict[str, Any], idp: Any) -> None:
    pid = pool["Id"]
    client = idp.create_user_pool_client(UserPoolId=pid, ClientName="backend", GenerateSecret=True,
                                         AccessTokenValidity=2, TokenValidityUnits={"AccessToken": "hours"})
    idp.create_group(UserPoolId=pid, GroupName="editors", Precedence=3, RoleArn=ROLE, Description="They edit")
    web.get(f"/{pid}/.well-known/jwks.json")  # makes the keys
    page = web.get(f"/console/pools/{pid}")
    body = text_of(page)
    assert page.status_code == 200
    assert client["UserPoolClient"]["ClientId"] in body and "backend" in body
    assert client["UserPoolClient"]["ClientSecret"] in body and "SECRET_HASH" in body
    assert "access 2 h, refresh 30 d" in body
    assert "editors" in body and ROLE in body and "They edit" in body
    jwks = requests.get(f"{web.base}/{pid}/.well-known/jwks.json").json()["keys"]
    assert all(key["kid"] in body for key in jwks)
    assert f"/{pid}/.well-known/jwks.json" in body


def test_group_page_lists_members(web: Console, pool: dict[str, Any], idp: Any) -> None:
    make_user(idp, pool["Id"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="readers")
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username="alice", GroupName="readers")
    page = web.get(f"/console/pools/{pool['Id']}/groups/readers")
    assert page.status_code == 200 and "Members (1)" in page.text and "alice" in page.text


def test_unknown_pool_user_and_group_are_html_404s(web: Console, pool: dict[str, Any]) -> None:
    for path in ("/console/pools/eu-west-1_nothere", f"/console/pools/{pool['Id']}/users/ghost",
                 f"/console/pools/{pool['Id']}/groups/ghosts", f"/console/pools/{pool['Id']}/users?filter=x"):
        resp = web.get(path)
        if path.endswith("filter=x"):
            assert resp.status_code == 200 and "Error while parsing filter." in resp.text
            continue
        assert resp.status_code == 404, path
        assert resp.headers["Content-Type"].startswith("text/html")


def test_users_search_uses_the_listusers_filter(web: Console, pool: dict[str, Any], idp: Any) -> None:
    make_user(idp, pool["Id"], "alice", email="alice@example.com")
    make_user(idp, pool["Id"], "bob", email="bob@example.com")
    make_user(idp, pool["Id"], "carol", email="carol@example.com", permanent=False)
    found = web.get(f"/console/pools/{pool['Id']}/users", filter='email ^= "bo"')
    assert found.status_code == 200
    assert "bob@example.com" in found.text and "alice@example.com" not in found.text
    forced = text_of(web.get(f"/console/pools/{pool['Id']}/users",
                             filter='cognito:user_status = "force_change_password"'))
    assert "carol" in forced and ">alice<" not in forced
    bad = text_of(web.get(f"/console/pools/{pool['Id']}/users", filter="custom:team = \"x\""))
    assert "InvalidParameterException: Error while parsing filter." in bad


def test_users_paging_walks_every_user_once(web: Console, pool: dict[str, Any], idp: Any) -> None:
    names = {f"user{i:02d}" for i in range(13)}
    for name in names:
        idp.admin_create_user(UserPoolId=pool["Id"], Username=name, MessageAction="SUPPRESS")
    seen: list[str] = []
    params: dict[str, Any] = {"limit": "10"}
    for _ in range(5):
        page = web.get(f"/console/pools/{pool['Id']}/users", **params)
        seen.extend(re.findall(r'/users/(user\d\d)"', page.text))
        nxt = re.search(r'rel="next" href="[^"]*token=([^"&]+)', page.text)
        if not nxt:
            break
        params = {"limit": "10", "token": requests.utils.unquote(html.unescape(nxt.group(1)))}
    assert sorted(seen) == sorted(names)
    assert "First page" in page.text


def test_create_user_with_permanent_password(web: Console, pool: dict[str, Any], idp: Any) -> None:
    resp = web.post(f"/console/pools/{pool['Id']}/users", {
        "username": "dora", "email": "dora@example.com", "email_verified": "on", "password": PASSWORD,
        "permanent": "on", "attributes": "name=Dora Explorer\n", "delivery": "SUPPRESS"})
    assert resp.status_code == 200 and "User dora created (CONFIRMED)." in text_of(resp)
    user = idp.admin_get_user(UserPoolId=pool["Id"], Username="dora")
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs["email"] == "dora@example.com" and attrs["email_verified"] == "true"
    assert attrs["name"] == "Dora Explorer"


def test_create_user_sends_the_invitation(web: Console, pool: dict[str, Any], idp: Any) -> None:
    resp = web.post(f"/console/pools/{pool['Id']}/users", {"username": "erin", "email": "erin@example.com",
                                                          "delivery": "EMAIL"})
    assert resp.status_code == 200
    assert user_status(idp, pool["Id"], "erin") == ("FORCE_CHANGE_PASSWORD", True)
    outbox = text_of(web.get("/console/outbox", pool=pool["Id"]))
    assert "INVITATION" in outbox and "erin@example.com" in outbox


def test_create_user_errors_keep_the_form(web: Console, pool: dict[str, Any], idp: Any) -> None:
    resp = web.post(f"/console/pools/{pool['Id']}/users", {"username": "frank", "password": "short",
                                                          "email": "frank@example.com"})
    assert resp.status_code == 400
    body = text_of(resp)
    assert "InvalidPasswordException" in body and 'value="frank@example.com"' in body
    bad = web.post(f"/console/pools/{pool['Id']}/users", {"username": "x" * 200})
    assert bad.status_code == 400 and "failed to satisfy constraint" in text_of(bad)
    with pytest.raises(ClientError):
        idp.admin_get_user(UserPoolId=pool["Id"], Username="frank")


# --- User page and actions ----------------------------------------------------------------------

def action(web: Console, pool_id: str, name: str, username: str = "alice", **form: str) -> str:
    resp = web.post(f"/console/pools/{pool_id}/users/{username}/actions/{name}", form)
    assert resp.status_code == 200, resp.text[:500]
    return text_of(resp)


def test_user_page_shows_attributes_groups_mfa_and_sessions(web: Console, pool: dict[str, Any], idp: Any,
                                                           app_client: str) -> None:
    make_user(idp, pool["Id"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="editors", Precedence=1)
    idp.admin_add_user_to_group(UserPoolId=pool["Id"], Username="alice", GroupName="editors")
    tokens = sign_in(idp, pool["Id"], app_client)
    origin = claims_of(tokens["AccessToken"])["origin_jti"]
    body = text_of(web.get(f"/console/pools/{pool['Id']}/users/alice"))
    sub = claims_of(tokens["IdToken"])["sub"]
    assert sub in body and "alice@example.com" in body and "CONFIRMED" in body
    assert "editors" in body and "Pool MFA" in body
    sessions = body[body.index('id="sessions"'):]
    assert origin in sessions and app_client in sessions and "active" in sessions.split("</table>")[0]
    assert web.get(f"/console/pools/{pool['Id']}/users/{sub}").status_code == 200  # by sub, as Admin* calls allow


def test_confirm_action(web: Console, pool: dict[str, Any], idp: Any, app_client: str) -> None:
    idp.sign_up(ClientId=app_client, Username="gina", Password=PASSWORD)
    assert user_status(idp, pool["Id"], "gina")[0] == "UNCONFIRMED"
    assert "Sign-up confirmed." in action(web, pool["Id"], "confirm", "gina")
    assert user_status(idp, pool["Id"], "gina")[0] == "CONFIRMED"
    again = action(web, pool["Id"], "confirm", "gina")
    assert "NotAuthorizedException" in again  # AdminConfirmSignUp's own answer for a confirmed user


def test_password_actions(web: Console, pool: dict[str, Any], idp: Any, app_client: str) -> None:
    idp.update_user_pool(UserPoolId=pool["Id"], AccountRecoverySetting={
        "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]})
    make_user(idp, pool["Id"], permanent=False)
    action(web, pool["Id"], "set-password", password="Brand-new-Passw0rd", permanent="on")
    assert user_status(idp, pool["Id"])[0] == "CONFIRMED"
    idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=app_client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "alice", "PASSWORD": "Brand-new-Passw0rd"})
    action(web, pool["Id"], "set-password", password="Temp-Passw0rd-2")  # not permanent
    assert user_status(idp, pool["Id"])[0] == "FORCE_CHANGE_PASSWORD"
    weak = action(web, pool["Id"], "set-password", password="weak", permanent="on")
    assert "InvalidPasswordException" in weak
    action(web, pool["Id"], "set-password", password=PASSWORD, permanent="on")
    assert "Password reset" in action(web, pool["Id"], "reset-password")
    assert user_status(idp, pool["Id"])[0] == "RESET_REQUIRED"
    messages = requests.get(f"{web.base}/_cogito/messages", params={"pool_id": pool["Id"]}).json()["messages"]
    assert messages[0]["kind"] == "FORGOT_PASSWORD" and messages[0]["code"]


def test_group_actions(web: Console, pool: dict[str, Any], idp: Any) -> None:
    make_user(idp, pool["Id"])
    idp.create_group(UserPoolId=pool["Id"], GroupName="editors")
    before = text_of(web.get(f"/console/pools/{pool['Id']}/users/alice"))
    assert '<option>editors</option>' in before
    action(web, pool["Id"], "add-to-group", group="editors")
    groups = idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="alice")["Groups"]
    assert [g["GroupName"] for g in groups] == ["editors"]
    missing = action(web, pool["Id"], "add-to-group", group="nobody")
    assert "ResourceNotFoundException: Group not found." in missing
    action(web, pool["Id"], "remove-from-group", group="editors")
    assert idp.admin_list_groups_for_user(UserPoolId=pool["Id"], Username="alice")["Groups"] == []


def test_disable_enable_sign_out_and_delete(web: Console, pool: dict[str, Any], idp: Any, app_client: str) -> None:
    make_user(idp, pool["Id"])
    action(web, pool["Id"], "disable")
    assert user_status(idp, pool["Id"]) == ("CONFIRMED", False)
    assert "DISABLED" in web.get(f"/console/pools/{pool['Id']}/users/alice").text
    action(web, pool["Id"], "enable")
    assert user_status(idp, pool["Id"]) == ("CONFIRMED", True)
    tokens = sign_in(idp, pool["Id"], app_client)
    page = action(web, pool["Id"], "sign-out")
    assert "Signed out everywhere" in page and "revoked" in page[page.index('id="sessions"'):]
    with pytest.raises(ClientError, match="Access Token has been revoked"):
        idp.get_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError, match="Refresh Token has been revoked"):
        idp.admin_initiate_auth(UserPoolId=pool["Id"], ClientId=app_client, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    resp = web.post(f"/console/pools/{pool['Id']}/users/alice/actions/delete", {})
    assert resp.status_code == 200 and "User alice deleted." in text_of(resp)
    with pytest.raises(ClientError, match="User does not exist"):
        idp.admin_get_user(UserPoolId=pool["Id"], Username="alice")


def test_odd_usernames_round_trip(web: Console, pool: dict[str, Any], idp: Any) -> None:
    name = "o'neil/x+1"
    idp.admin_create_user(UserPoolId=pool["Id"], Username=name, MessageAction="SUPPRESS")
    users = web.get(f"/console/pools/{pool['Id']}/users")
    link = re.search(r'href="([^"]*/users/o[^"]*)"', users.text).group(1)
    assert name in text_of(web.get(html.unescape(link)))
    resp = web.post(html.unescape(link) + "/actions/disable", {})
    assert resp.status_code == 200
    assert user_status(idp, pool["Id"], name)[1] is False


def test_cross_site_posts_are_refused(web: Console, pool: dict[str, Any], idp: Any) -> None:
    make_user(idp, pool["Id"])
    path = f"/console/pools/{pool['Id']}/users/alice/actions/disable"
    assert web.post(path, {}, Origin="http://evil.example").status_code == 403
    assert web.post(path, {}, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    no_origin = requests.post(web.base + path, headers={"Referer": "http://evil.example/page"})
    assert no_origin.status_code == 403
    assert user_status(idp, pool["Id"]) == ("CONFIRMED", True)
    assert web.post(path, {}).status_code == 200
    assert user_status(idp, pool["Id"]) == ("CONFIRMED", False)


def test_unknown_action_is_404(web: Console, pool: dict[str, Any], idp: Any) -> None:
    make_user(idp, pool["Id"])
    assert web.post(f"/console/pools/{pool['Id']}/users/alice/actions/explode", {}).status_code == 404


# --- Outbox ---------------------------------------------------------------------------------------

def test_outbox_newest_first_and_filtered_by_pool(web: Console, pool: dict[str, Any], idp: Any,
                                                  app_client: str) -> None:
    other = idp.create_user_pool(PoolName=f"other-{uuid.uuid4().hex[:6]}", AutoVerifiedAttributes=["email"])
    try:
        idp.update_user_pool(UserPoolId=pool["Id"], AutoVerifiedAttributes=["email"])
        idp.sign_up(ClientId=app_client, Username="first", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "first@example.com"}])
        idp.sign_up(ClientId=app_client, Username="second", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "second@example.com"}])
        other_client = idp.create_user_pool_client(UserPoolId=other["UserPool"]["Id"], ClientName="o")
        idp.sign_up(ClientId=other_client["UserPoolClient"]["ClientId"], Username="elsewhere", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "elsewhere@example.com"}])
        codes = {m["username"]: m["code"] for m in requests.get(f"{web.base}/_cogito/messages").json()["messages"]}
        body = text_of(web.get("/console/outbox", pool=pool["Id"]))
        assert body.index("second@example.com") < body.index("first@example.com")
        assert codes["first"] in body and codes["second"] in body and "elsewhere@example.com" not in body
        everything = text_of(web.get("/console/outbox"))
        assert "elsewhere@example.com" in everything
        only_first = text_of(web.get("/console/outbox", pool=pool["Id"], username="first"))
        assert "first@example.com" in only_first and "second@example.com" not in only_first
        assert "first@example.com" not in text_of(web.get("/console/outbox", pool=pool["Id"], kind="INVITATION"))
        assert "first@example.com" in text_of(web.get("/console/outbox", pool=pool["Id"], kind="SIGNUP"))
    finally:
        idp.delete_user_pool(UserPoolId=other["UserPool"]["Id"])


# --- Token inspector ------------------------------------------------------------------------------

def claim_row(body: str, name: str) -> str:
    match = re.search(rf'<th scope="row"><code>{re.escape(name)}</code></th>(.*?)</tr>', body, re.DOTALL)
    assert match, f"no row for {name}"
    return match.group(1)


def test_sign_in_shows_both_tokens_side_by_side(web: Console, pool: dict[str, Any], idp: Any,
                                                app_client: str) -> None:
    make_user(idp, pool["Id"])
    resp = web.post("/console/tokens/sign-in", {"client": app_client, "username": "alice", "password": PASSWORD})
    body = text_of(resp)
    assert resp.status_code == 200 and "Signed in as alice" in body
    # aud only in the ID token; client_id, scope, username only in the access token; email only in the ID token.
    for name, in_id, in_access in (("aud", True, False), ("client_id", False, True), ("scope", False, True),
                                   ("username", False, True), ("email", True, False), ("sub", True, True),
                                   ("cognito:username", True, False), ("token_use", True, True)):
        cells = claim_row(body, name).split("</td>")
        assert ("not in the ID token" not in cells[0]) is in_id, name
        assert ("not in the access token" not in cells[1]) is in_access, name
    assert "ID token only" in claim_row(body, "aud") and "access token only" in claim_row(body, "scope")
    assert "aws.cognito.signin.user.admin" in claim_row(body, "scope")
    jwks = {k["kid"]: k for k in requests.get(f"{web.base}/{pool['Id']}/.well-known/jwks.json").json()["keys"]}
    shown = re.findall(r'class="kid">([^<]+)<', body)
    assert len(shown) == 2 and set(shown) == set(jwks) and shown[0] != shown[1]
    assert "ID-token key" in body and "access-token key" in body
    remaining = [int(v) for v in re.findall(r'data-remaining="(\d+)"', body)]
    assert remaining[0] <= 3600 and remaining[0] > 3000
    assert body.count("not revoked") == 3  # ID, access, refresh
    assert "still verifies against the JWKS" in body


def test_revoke_in_inspector_leaves_signatures_valid(web: Console, pool: dict[str, Any], idp: Any,
                                                     app_client: str) -> None:
    make_user(idp, pool["Id"])
    tokens = sign_in(idp, pool["Id"], app_client)
    texts = " ".join([tokens["IdToken"], tokens["AccessToken"], tokens["RefreshToken"]])
    shown = text_of(web.post("/console/tokens/inspect", {"tokens": texts}))
    assert "Revoke this sign-in" in shown
    revoked = text_of(web.post("/console/tokens/revoke", {"tokens": texts, "refresh_token": tokens["RefreshToken"],
                                                          "client": app_client}))
    assert revoked.count(">revoked<") >= 3 and "sign-in family (origin_jti) was revoked" in revoked
    assert revoked.count(">valid<") == 2  # both signatures still verify
    assert "NotAuthorizedException: Access Token has been revoked" in revoked
    with pytest.raises(ClientError, match="Access Token has been revoked"):
        idp.get_user(AccessToken=tokens["AccessToken"])
    # ... and yet a JWKS verifier still accepts it, which is the lesson shown.
    key = next(k for k in requests.get(f"{web.base}/{pool['Id']}/.well-known/jwks.json").json()["keys"]
               if k["kid"] == jwt.get_unverified_header(tokens["AccessToken"])["kid"])
    jwt.decode(tokens["AccessToken"], jwt.PyJWK(key).key, algorithms=["RS256"])


def test_pasted_token_after_global_sign_out_and_expiry(web: Console, pool: dict[str, Any], idp: Any,
                                                        app_client: str, server: Any) -> None:
    make_user(idp, pool["Id"])
    tokens = sign_in(idp, pool["Id"], app_client)
    idp.admin_user_global_sign_out(UserPoolId=pool["Id"], Username="alice")
    body = text_of(web.post("/console/tokens/inspect", {"tokens": tokens["AccessToken"]}))
    assert "signed out everywhere" in body and ">valid<" in body
    assert "NotAuthorizedException: Access Token has been revoked" in body
    clock = server.state.clock
    clock.freeze()
    try:
        clock.advance(2 * 3600)
        later = text_of(web.post("/console/tokens/inspect", {"tokens": tokens["IdToken"]}))
        assert ">expired<" in later and "data-remaining" not in later.split('id="result"')[1].split("Refresh")[0]
    finally:
        clock.reset()


def test_pasting_garbage_refresh_and_foreign_tokens(web: Console, pool: dict[str, Any], idp: Any,
                                                    app_client: str) -> None:
    make_user(idp, pool["Id"])
    tokens = sign_in(idp, pool["Id"], app_client)
    assert web.post("/console/tokens/inspect", {"tokens": ""}).status_code == 400
    garbage = text_of(web.post("/console/tokens/inspect", {"tokens": "not-a-token"}))
    assert "Not a JWT" in garbage
    foreign = jwt.encode({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_gone", "token_use": "id"},
                         "a-long-enough-secret-for-hs256-0123456789", algorithm="HS256")
    assert "No user pool eu-west-1_gone" in text_of(web.post("/console/tokens/inspect", {"tokens": foreign}))
    refresh = text_of(web.post("/console/tokens/inspect", {"tokens": tokens["RefreshToken"]}))
    origin = claims_of(tokens["AccessToken"])["origin_jti"]
    assert "opaque" in refresh and origin in refresh and app_client in refresh
    forged = tokens["AccessToken"][:-4] + ("AAAA" if not tokens["AccessToken"].endswith("AAAA") else "BBBB")
    assert ">invalid<" in text_of(web.post("/console/tokens/inspect", {"tokens": forged}))


def test_sign_in_errors_and_new_password_challenge(web: Console, pool: dict[str, Any], idp: Any) -> None:
    secret_client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="s", GenerateSecret=True)[
        "UserPoolClient"]["ClientId"]
    make_user(idp, pool["Id"], permanent=False)
    wrong = web.post("/console/tokens/sign-in", {"client": secret_client, "username": "alice", "password": "nope"})
    assert wrong.status_code == 400 and "NotAuthorizedException: Incorrect username or password." in text_of(wrong)
    nobody = web.post("/console/tokens/sign-in", {"client": "", "username": "alice", "password": "x"})
    assert nobody.status_code == 400
    challenge = text_of(web.post("/console/tokens/sign-in", {"client": secret_client, "username": "alice",
                                                             "password": PASSWORD}))
    assert "must change password" in challenge and "NEW_PASSWORD_REQUIRED" in challenge
    session = re.search(r'name="session" value="([^"]+)"', challenge).group(1)
    weak = web.post("/console/tokens/new-password", {"client": secret_client, "username": "alice",
                                                     "session": session, "new_password": "weak"})
    assert weak.status_code == 400 and "InvalidPasswordException" in text_of(weak)
    again = text_of(web.post("/console/tokens/sign-in", {"client": secret_client, "username": "alice",
                                                         "password": PASSWORD}))
    session = re.search(r'name="session" value="([^"]+)"', again).group(1)
    done = web.post("/console/tokens/new-password", {"client": secret_client, "username": "alice",
                                                     "session": session, "new_password": "Chosen-Passw0rd"})
    assert done.status_code == 200 and "is now CONFIRMED" in text_of(done)
    assert user_status(idp, pool["Id"])[0] == "CONFIRMED"


def test_inspector_page_offers_the_pools_clients(web: Console, pool: dict[str, Any], app_client: str) -> None:
    page = text_of(web.get("/console/tokens", pool=pool["Id"], username="alice", client=app_client))
    assert f'<option value="{app_client}" selected>' in page and 'value="alice"' in page


# --- Identity pools -------------------------------------------------------------------------------

def test_identity_pool_pages(web: Console, pool: dict[str, Any], idp: Any, identity: Any, app_client: str) -> None:
    pytest.importorskip("emulator.identitypool.models")
    provider = f"cognito-idp.eu-west-1.amazonaws.com/{pool['Id']}"
    ipid = identity.create_identity_pool(IdentityPoolName=f"ip{uuid.uuid4().hex[:6]}",
                                         AllowUnauthenticatedIdentities=True,
                                         CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": app_client}])[
        "IdentityPoolId"]
    try:
        identity.set_identity_pool_roles(IdentityPoolId=ipid, Roles={"authenticated": ROLE,
                                                                      "unauthenticated": ROLE + "Guest"})
        make_user(idp, pool["Id"])
        id_token = sign_in(idp, pool["Id"], app_client)["IdToken"]
        identity_id = identity.get_id(IdentityPoolId=ipid, Logins={provider: id_token})["IdentityId"]
        creds = identity.get_credentials_for_identity(IdentityId=identity_id, Logins={provider: id_token})
        guest = identity.get_id(IdentityPoolId=ipid)["IdentityId"]
        identity.get_credentials_for_identity(IdentityId=guest)
        assert ipid in web.get("/console/identity-pools").text
        body = text_of(web.get(f"/console/identity-pools/{ipid}"))
        sub = claims_of(id_token)["sub"]
        assert identity_id in body and guest in body and provider in body and sub in body
        assert creds["Credentials"]["AccessKeyId"] in body and ROLE in body and ROLE + "Guest" in body
        one = text_of(web.get(f"/console/identity-pools/{ipid}/identities/{identity_id}"))
        assert creds["Credentials"]["AccessKeyId"] in one and ROLE in one and "authenticated" in one
        assert f"/console/pools/{pool['Id']}/users/{sub}" in one  # the login links to its user
        assert web.get(f"/console/identity-pools/{ipid}/identities/eu-west-1:nope").status_code == 404
    finally:
        identity.delete_identity_pool(IdentityPoolId=ipid)


# --- Packaging ------------------------------------------------------------------------------------

def test_templates_and_static_files_ship_with_the_package() -> None:
    from fnmatch import fnmatch

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["emulator.console"]
    package = root / "emulator" / "console"
    files = [p.relative_to(package).as_posix() for p in package.rglob("*")
             if p.is_file() and p.suffix in (".html", ".css", ".js")]
    assert len(files) >= 10
    for name in files:
        assert any(fnmatch(name, pattern) for pattern in patterns), f"{name} would not be installed"
