"""The Hosted UI pages over plain HTTP, posted as a browser without JavaScript posts them:
login and its errors, the new-password step, sign-up and confirmation (code and link),
forgotten passwords, CSRF."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest
import requests

from tests.hostedui_support import (  # noqa: F401
    CALLBACK,
    PASSWORD,
    OAuthPool,
    claims_of,
    csrf_of,
    error_text,
    hidden,
    oauth,
    query_of,
)


def _page(oauth: Any, browser: requests.Session, path: str, client: dict[str, Any], **params: str) -> requests.Response:
    answer = browser.get(f"{oauth.url}{path}", params=oauth.authorize_params(client, **params), timeout=10,
                         allow_redirects=False)
    assert answer.status_code == 200, answer.text
    return answer


def _post(browser: requests.Session, page: requests.Response, path: str, data: dict[str, str]) -> requests.Response:
    """Post a form of ``page`` to ``path`` with the page's own query and CSRF token."""
    query = page.url.split("?", 1)[1] if "?" in page.url else ""
    return browser.post(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + f"{path}?{query}",
                        data={"_csrf": csrf_of(page.text), **data}, timeout=10, allow_redirects=False)


def _status(oauth: Any, username: str) -> str:
    return oauth.idp.admin_get_user(UserPoolId=oauth.pool_id, Username=username)["UserStatus"]


@pytest.fixture
def email_pool(idp: Any, server: Any) -> Any:
    made = OAuthPool(idp, server, AutoVerifiedAttributes=["email"])
    yield made
    made.delete()


def test_login_page_is_a_plain_accessible_form(oauth: Any) -> None:
    client = oauth.client()
    page = _page(oauth, requests.Session(), "/login", client)
    text = page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<script" not in text
    assert re.search(r'<form[^>]+method="post"', text)
    assert 'name="username"' in text and 'name="password"' in text and 'type="password"' in text
    assert '<label for="signInFormUsername">' in text and 'id="signInFormUsername"' in text
    assert "/forgotPassword?" in text and "/signup?" in text
    assert "XSRF-TOKEN=" in page.headers["Set-Cookie"]


def test_wrong_password_is_shown_on_the_page(oauth: Any) -> None:
    client = oauth.client()
    answer = oauth.sign_in(client, password="wrong-Passw0rd")
    assert answer.status_code == 400 and "Location" not in answer.headers
    assert error_text(answer.text) == "Incorrect username or password."
    assert 'value="alice"' in answer.text  # the username stays filled in


def test_unknown_user_wording_follows_prevent_user_existence_errors(oauth: Any) -> None:
    legacy = oauth.client()
    assert error_text(oauth.sign_in(legacy, username="nobody").text) == "User does not exist."
    hidden_client = oauth.client(PreventUserExistenceErrors="ENABLED")
    assert error_text(oauth.sign_in(hidden_client, username="nobody").text) == "Incorrect username or password."


def test_disabled_user_is_told_on_the_page(oauth: Any) -> None:
    client = oauth.client()
    oauth.idp.admin_disable_user(UserPoolId=oauth.pool_id, Username="alice")
    answer = oauth.sign_in(client)
    assert answer.status_code == 400 and error_text(answer.text) == "User is disabled."


def test_form_without_the_csrf_token_is_refused(oauth: Any) -> None:
    client = oauth.client()
    params = oauth.authorize_params(client)
    answer = requests.post(f"{oauth.url}/login", params=params, data={"username": "alice", "password": PASSWORD},
                           allow_redirects=False, timeout=10)
    assert answer.status_code == 400 and "expired" in (error_text(answer.text) or "")


def test_login_page_with_a_bad_client_goes_to_the_error_page(oauth: Any) -> None:
    answer = requests.get(f"{oauth.url}/login", params={"client_id": "nope", "redirect_uri": CALLBACK,
                                                        "response_type": "code"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/error?")


def test_values_are_escaped(oauth: Any) -> None:
    client = oauth.client()
    answer = oauth.sign_in(client, username='<script>alert("x")</script>')
    assert "<script>" not in answer.text and "&lt;script&gt;alert(" in answer.text


def test_force_change_password_step(oauth: Any) -> None:
    client = oauth.client()
    oauth.user("invited", "Temp-Passw0rd!", permanent=False)
    browser = requests.Session()
    page = oauth.sign_in(client, "invited", "Temp-Passw0rd!", browser=browser)
    assert page.status_code == 200 and 'name="newPassword"' in page.text
    form = {"session": hidden(page.text, "session"), "username": "invited"}
    url = page.url

    def post(new: str, confirm: str) -> requests.Response:
        return browser.post(url.replace("/login?", "/forceChangePassword?"), timeout=10, allow_redirects=False,
                            data={"_csrf": csrf_of(page.text), **form, "newPassword": new, "confirmPassword": confirm})

    assert error_text(post("N3w-Passw0rd!", "other").text) == "Passwords do not match."
    weak = post("short", "short")
    assert weak.status_code == 400 and "Password does not conform to policy" in (error_text(weak.text) or "")
    done = post("N3w-Passw0rd!", "N3w-Passw0rd!")
    assert done.status_code == 302 and "code" in query_of(done.headers["Location"])
    assert _status(oauth, "invited") == "CONFIRMED"
    assert oauth.sign_in(client, "invited", "N3w-Passw0rd!").status_code == 302


def test_force_change_password_asks_for_missing_required_attributes(idp: Any, server: Any) -> None:
    made = OAuthPool(idp, server, Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True,
                                           "Mutable": True}])
    try:
        client = made.client()
        made.user("invited", "Temp-Passw0rd!", permanent=False)
        browser = requests.Session()
        page = made.sign_in(client, "invited", "Temp-Passw0rd!", browser=browser)
        assert 'name="requiredAttributes[name]"' in page.text
        done = browser.post(page.url.replace("/login?", "/forceChangePassword?"), allow_redirects=False, timeout=10,
                            data={"_csrf": csrf_of(page.text), "session": hidden(page.text, "session"),
                                  "username": "invited", "newPassword": "N3w-Passw0rd!",
                                  "confirmPassword": "N3w-Passw0rd!", "requiredAttributes[name]": "Ivy"})
        assert done.status_code == 302, done.text
        user = idp.admin_get_user(UserPoolId=made.pool_id, Username="invited")
        assert {"Name": "name", "Value": "Ivy"} in user["UserAttributes"]
    finally:
        made.delete()


def test_sign_up_confirm_and_signed_in(email_pool: Any) -> None:
    client = email_pool.client(ReadAttributes=["email", "email_verified"])
    browser = requests.Session()
    form = _page(email_pool, browser, "/signup", client, scope="openid email")
    assert 'name="requiredAttributes[email]"' in form.text and 'name="password"' in form.text
    username = f"u{uuid.uuid4().hex[:8]}"
    sent = _post(browser, form, "/signup", {"username": username, "password": PASSWORD,
                                            "requiredAttributes[email]": "new@example.com"})
    assert sent.status_code == 200, sent.text
    assert "We have sent a code by email to n***@e***" in sent.text
    assert _status(email_pool, username) == "UNCONFIRMED"
    code = email_pool.messages(kind="SIGNUP", username=username)[0]["code"]
    wrong = _post(browser, sent, "/confirm", {"username": username, "code": "000000" if code != "000000" else "1",
                                              "session": hidden(sent.text, "session")})
    assert wrong.status_code == 400
    assert error_text(wrong.text) == "Invalid verification code provided, please try again."
    done = _post(browser, sent, "/confirm", {"username": username, "code": code,
                                             "session": hidden(sent.text, "session")})
    assert done.status_code == 302 and done.headers["Location"].startswith(CALLBACK + "?code=")
    assert _status(email_pool, username) == "CONFIRMED"
    body = email_pool.token({"grant_type": "authorization_code", "code": query_of(done.headers["Location"])["code"],
                             "redirect_uri": CALLBACK, "client_id": client["ClientId"]}).json()
    claims = claims_of(body["id_token"])
    assert claims["email"] == "new@example.com" and claims["email_verified"] is True


def test_sign_up_in_an_email_username_pool(idp: Any, server: Any) -> None:
    made = OAuthPool(idp, server, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    try:
        client = made.client()
        browser = requests.Session()
        form = _page(made, browser, "/signup", client)
        assert '<label for="signUpFormUsername">Email</label>' in form.text
        assert 'name="requiredAttributes[email]"' not in form.text
        sent = _post(browser, form, "/signup", {"username": "mail@example.com", "password": PASSWORD})
        assert sent.status_code == 200, error_text(sent.text)
        user = idp.list_users(UserPoolId=made.pool_id)["Users"][0]
        assert {"Name": "email", "Value": "mail@example.com"} in user["Attributes"]
        assert made.messages(kind="SIGNUP")[0]["destination"] == "mail@example.com"
    finally:
        made.delete()


def test_sign_up_errors_are_shown(email_pool: Any) -> None:
    client = email_pool.client()
    email_pool.user("taken")
    browser = requests.Session()
    form = _page(email_pool, browser, "/signup", client)
    weak = _post(browser, form, "/signup", {"username": "someone", "password": "short",
                                            "requiredAttributes[email]": "a@example.com"})
    assert weak.status_code == 400 and "Password did not conform with policy" in (error_text(weak.text) or "")
    taken = _post(browser, form, "/signup", {"username": "taken", "password": PASSWORD,
                                             "requiredAttributes[email]": "b@example.com"})
    assert error_text(taken.text) == "User already exists"


def test_sign_up_with_a_secret_client(email_pool: Any) -> None:
    client = email_pool.client(secret=True)
    browser = requests.Session()
    form = _page(email_pool, browser, "/signup", client)
    sent = _post(browser, form, "/signup", {"username": "sec", "password": PASSWORD,
                                            "requiredAttributes[email]": "sec@example.com"})
    assert sent.status_code == 200 and _status(email_pool, "sec") == "UNCONFIRMED"


def test_sign_up_refused_when_only_admins_create_users(idp: Any, server: Any) -> None:
    made = OAuthPool(idp, server, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    try:
        client = made.client()
        browser = requests.Session()
        login = _page(made, browser, "/login", client)
        assert "/signup?" not in login.text
        answer = browser.get(f"{made.url}/signup", params=made.authorize_params(client), timeout=10)
        assert answer.status_code == 400 and error_text(answer.text) == "SignUp is not permitted for this user pool"
    finally:
        made.delete()


def test_unconfirmed_user_signing_in_gets_the_confirm_page_and_can_resend(email_pool: Any) -> None:
    client = email_pool.client()
    email_pool.idp.sign_up(ClientId=client["ClientId"], Username="late", Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": "late@example.com"}])
    browser = requests.Session()
    page = email_pool.sign_in(client, "late", browser=browser)
    assert page.status_code == 200 and 'name="code"' in page.text
    assert error_text(page.text) == "User is not confirmed."
    before = len(email_pool.messages(kind="SIGNUP", username="late"))
    resent = browser.post(page.url.replace("/login?", "/resendcode?"), timeout=10, allow_redirects=False,
                          data={"_csrf": csrf_of(page.text), "username": "late"})
    assert resent.status_code == 200 and "We have sent a new code by email" in resent.text
    assert len(email_pool.messages(kind="SIGNUP", username="late")) == before + 1
    code = email_pool.messages(kind="SIGNUP", username="late")[0]["code"]
    done = browser.post(page.url.replace("/login?", "/confirm?"), timeout=10, allow_redirects=False,
                        data={"_csrf": csrf_of(page.text), "username": "late", "code": code})
    # Confirmed without a sign-up session in this browser: on to the login page.
    assert done.status_code == 200 and "Your account has been confirmed" in done.text
    assert email_pool.sign_in(client, "late").status_code == 302


def test_confirmation_link_of_the_email(idp: Any, server: Any) -> None:
    made = OAuthPool(idp, server, AutoVerifiedAttributes=["email"],
                     VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_LINK"})
    try:
        client = made.client()
        idp.sign_up(ClientId=client["ClientId"], Username="linked", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "l@example.com"}])
        body = made.messages(kind="SIGNUP", username="linked")[0]["body"]
        link = html.unescape(re.search(r'href="([^"]+)"', body).group(1))
        assert "/confirmUser?" in link
        page = requests.get(link, timeout=10)
        assert page.status_code == 200 and "Your registration has been confirmed!" in page.text
        assert _status(made, "linked") == "CONFIRMED"
        again = requests.get(link, timeout=10)
        assert again.status_code == 400 and "User cannot be confirmed" in (error_text(again.text) or "")
    finally:
        made.delete()


def test_forgot_password_flow(email_pool: Any) -> None:
    client = email_pool.client()
    email_pool.user("forgetful", attributes={"email": "f@example.com", "email_verified": "true"})
    browser = requests.Session()
    form = _page(email_pool, browser, "/forgotPassword", client)
    sent = _post(browser, form, "/forgotPassword", {"username": "forgetful"})
    assert sent.status_code == 200 and "We have sent a password reset code by email to f***@e***" in sent.text
    code = email_pool.messages(kind="FORGOT_PASSWORD", username="forgetful")[0]["code"]
    mismatch = _post(browser, sent, "/confirmForgotPassword", {"username": "forgetful", "code": code,
                                                              "password": "N3w-Passw0rd!", "confirmPassword": "x"})
    assert error_text(mismatch.text) == "Passwords do not match."
    done = _post(browser, sent, "/confirmForgotPassword", {"username": "forgetful", "code": code,
                                                          "password": "N3w-Passw0rd!",
                                                          "confirmPassword": "N3w-Passw0rd!"})
    assert done.status_code == 200 and "Your password has been reset" in done.text
    assert email_pool.sign_in(client, "forgetful", "N3w-Passw0rd!").status_code == 302


def test_forgot_password_errors_are_shown(email_pool: Any) -> None:
    client = email_pool.client()
    email_pool.user("nochannel")
    browser = requests.Session()
    form = _page(email_pool, browser, "/forgotPassword", client)
    answer = _post(browser, form, "/forgotPassword", {"username": "nochannel"})
    assert answer.status_code == 400 and "no registered/verified email or phone_number" in (error_text(answer.text)
                                                                                            or "")
    unknown = _post(browser, form, "/forgotPassword", {"username": "ghost"})
    assert error_text(unknown.text) == "Username/client id combination not found."
