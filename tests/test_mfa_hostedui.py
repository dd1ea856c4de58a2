"""The Hosted UI's MFA step over plain HTTP: the code page after the password (authenticator app,
SMS), a wrong code shown on the page, and setting up an authenticator app in a pool that
requires MFA. Codes come from the shared secret (RFC 6238) and from /_cogito/messages."""

from __future__ import annotations

import re
import time
from typing import Any

import requests

from tests.hostedui_support import (  # noqa: F401 - fixtures
    CALLBACK,
    PASSWORD,
    OAuthPool,
    csrf_of,
    error_text,
    hidden,
    oauth,
    query_of,
)
from tests.mfa_support import SMS_FACTOR, totp_code


def _post(browser: requests.Session, page: requests.Response, path: str, data: dict[str, str]) -> requests.Response:
    query = page.url.split("?", 1)[1]
    base = page.url.split("/login?", 1)[0]
    return browser.post(f"{base}{path}?{query}", data={"_csrf": csrf_of(page.text), **data}, timeout=10,
                        allow_redirects=False)


def _enrol(oauth: OAuthPool) -> str:
    """An authenticator app for alice, registered and preferred through the API."""
    api = oauth.idp.create_user_pool_client(UserPoolId=oauth.pool_id, ClientName="api",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    token = oauth.idp.initiate_auth(ClientId=api["UserPoolClient"]["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD}
                                    )["AuthenticationResult"]["AccessToken"]
    secret = oauth.idp.associate_software_token(AccessToken=token)["SecretCode"]
    oauth.idp.verify_software_token(AccessToken=token, UserCode=totp_code(secret, time.time()))
    oauth.idp.set_user_mfa_preference(AccessToken=token,
                                      SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    return secret


def test_authenticator_code_page(oauth: Any) -> None:
    oauth.idp.set_user_pool_mfa_config(UserPoolId=oauth.pool_id, MfaConfiguration="OPTIONAL",
                                       SoftwareTokenMfaConfiguration={"Enabled": True})
    secret = _enrol(oauth)
    client = oauth.client()
    browser = requests.Session()
    page = oauth.sign_in(client, browser=browser)
    assert page.status_code == 200 and 'name="code"' in page.text and "authenticator app" in page.text
    form = {"session": hidden(page.text, "session"), "factor": "SOFTWARE_TOKEN_MFA",
            "prompt": hidden(page.text, "prompt")}
    wrong = "000000" if totp_code(secret, time.time()) != "000000" else "111111"
    again = _post(browser, page, "/mfa", {**form, "code": wrong})
    assert again.status_code == 400 and error_text(again.text) == "Invalid code or auth state for the user."
    done = _post(browser, page, "/mfa", {**form, "code": totp_code(secret, time.time())})
    assert done.status_code == 302 and done.headers["Location"].startswith(CALLBACK)
    assert "code" in query_of(done.headers["Location"])


def test_sms_code_page(oauth: Any) -> None:
    oauth.idp.set_user_pool_mfa_config(UserPoolId=oauth.pool_id, MfaConfiguration="ON", SmsMfaConfiguration=SMS_FACTOR)
    oauth.idp.admin_update_user_attributes(UserPoolId=oauth.pool_id, Username="alice",
                                           UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}])
    client = oauth.client()
    browser = requests.Session()
    page = oauth.sign_in(client, browser=browser)
    assert page.status_code == 200 and "+*******0100" in page.text
    code = [m for m in oauth.messages(username="alice") if m["medium"] == "SMS"][0]["code"]
    done = _post(browser, page, "/mfa", {"session": hidden(page.text, "session"), "factor": "SMS_MFA",
                                         "prompt": hidden(page.text, "prompt"), "code": code})
    assert done.status_code == 302 and "code" in query_of(done.headers["Location"])


def test_authenticator_set_up_when_mfa_is_required(oauth: Any) -> None:
    oauth.idp.set_user_pool_mfa_config(UserPoolId=oauth.pool_id, MfaConfiguration="ON",
                                       SoftwareTokenMfaConfiguration={"Enabled": True})
    client = oauth.client()
    browser = requests.Session()
    page = oauth.sign_in(client, browser=browser)
    assert page.status_code == 200
    secret = re.search(r'id="secretCode">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
    assert "otpauth://totp/" in page.text
    form = {"session": hidden(page.text, "session"), "secret": secret, "username": "alice"}
    wrong = "000000" if totp_code(secret, time.time()) != "000000" else "111111"
    again = _post(browser, page, "/mfa/setup", {**form, "code": wrong})
    assert again.status_code == 400 and error_text(again.text) == "Code mismatch and fail enable Software Token MFA"
    done = _post(browser, page, "/mfa/setup", {**form, "code": totp_code(secret, time.time())})
    assert done.status_code == 302 and "code" in query_of(done.headers["Location"])
    user = oauth.idp.admin_get_user(UserPoolId=oauth.pool_id, Username="alice")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    # Next time, the code page (in a fresh browser: no single sign-on cookie).
    second = oauth.sign_in(client)
    assert second.status_code == 200 and 'name="factor" value="SOFTWARE_TOKEN_MFA"' in second.text
