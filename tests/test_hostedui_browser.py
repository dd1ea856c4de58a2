"""A person signs in through the Hosted UI in headless Chromium; the relying party is a
standard OAuth client library (Authlib's OAuth2Session) that sends the browser to the
discovery document's authorization endpoint with PKCE (S256) and a nonce, exchanges the
code, and verifies the ID token against the pool's JWKS (joserfc), at_hash included.

Chromium and chromedriver are Debian's packages (``.ci/run`` installs them). The
browser runs on the SQLite server only: the pages are backend-independent and the other
tests cover PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.hostedui_support import PASSWORD, OAuthPool

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                                reason="Debian's chromium and chromium-driver are not installed")


class RelyingParty:
    """The app's own tiny web server: records what arrives at /callback and /signed-out."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        party = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                party.hits.append(f"http://127.0.0.1:{party.port}{self.path}")
                body = b"<!doctype html><title>App</title><h1 id='app'>Back in the app</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def callback(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"

    @property
    def signed_out(self) -> str:
        return f"http://127.0.0.1:{self.port}/signed-out"

    def last(self, path: str) -> str | None:
        found = [hit for hit in self.hits if hit.split("?", 1)[0].endswith(path)]
        return found[-1] if found else None


@pytest.fixture
def relying_party() -> Iterator[RelyingParty]:
    party = RelyingParty()
    yield party
    party.httpd.shutdown()


@pytest.fixture
def browser(server: Any) -> Iterator[Any]:
    """A fresh headless Chromium (own profile directory), for the SQLite server only."""
    if server.backend != "sqlite":
        pytest.skip("the browser runs against the SQLite server only")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cogito-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(condition)


def test_person_signs_in_and_the_relying_party_gets_verified_tokens(
        idp: Any, server: Any, browser: Any, relying_party: RelyingParty, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oidc.core.util import create_half_hash
    from joserfc import jwt
    from joserfc.jwk import KeySet
    from selenium.webdriver.common.by import By

    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the emulator speaks plain http
    made = OAuthPool(idp, server)
    try:
        made.user("alice", attributes={"email": "alice@example.com", "email_verified": "true"})
        client = made.client(scopes=["openid", "email", "profile"], callbacks=[relying_party.callback],
                             LogoutURLs=[relying_party.signed_out])
        discovery = requests.get(f"{server.url}/{made.pool_id}/.well-known/openid-configuration", timeout=10).json()

        session = OAuth2Session(client["ClientId"], scope="openid email", redirect_uri=relying_party.callback,
                                code_challenge_method="S256", token_endpoint_auth_method="none")
        verifier, nonce = generate_token(48), generate_token(20)
        url, state = session.create_authorization_url(discovery["authorization_endpoint"], code_verifier=verifier,
                                                      nonce=nonce)
        browser.get(url)
        username = _wait(browser, lambda d: d.find_element(By.ID, "signInFormUsername"))
        shot = tmp_path / "login.png"
        assert browser.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 1000
        assert browser.find_element(By.NAME, "password").get_attribute("type") == "password"

        # A wrong password first: the error is on the page, and the page stays.
        username.send_keys("alice")
        browser.find_element(By.NAME, "password").send_keys("not-the-password")
        browser.find_element(By.NAME, "signInSubmitButton").click()
        error = _wait(browser, lambda d: d.find_element(By.ID, "errorMessage"))
        assert error.text == "Incorrect username or password."
        assert relying_party.last("/callback") is None

        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.NAME, "signInSubmitButton").click()
        _wait(browser, lambda d: relying_party.last("/callback") is not None)
        callback = relying_party.last("/callback")
        assert callback is not None

        token = session.fetch_token(discovery["token_endpoint"], authorization_response=callback,
                                    code_verifier=verifier, state=state)
        assert {"access_token", "id_token", "refresh_token"} <= set(token)
        keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
        id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": discovery["issuer"]},
            aud={"essential": True, "value": client["ClientId"]},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
        ).validate(id_token.claims)
        assert id_token.claims["at_hash"] == create_half_hash(token["access_token"], "RS256").decode()
        assert id_token.claims["email"] == "alice@example.com" and id_token.claims["cognito:username"] == "alice"
        access = jwt.decode(token["access_token"], keys, algorithms=["RS256"])
        assert access.claims["scope"] == "openid email" and access.claims["client_id"] == client["ClientId"]

        info = session.get(discovery["userinfo_endpoint"]).json()
        assert info["email"] == "alice@example.com" and info["sub"] == id_token.claims["sub"]

        # Single sign-on: a second authorize goes straight back to the app.
        relying_party.hits.clear()
        again_url, _state = session.create_authorization_url(discovery["authorization_endpoint"],
                                                             code_verifier=generate_token(48))
        browser.get(again_url)
        _wait(browser, lambda d: relying_party.last("/callback") is not None)

        # Signing out clears the session: the next authorize shows the login page again.
        browser.get(f"{discovery['end_session_endpoint']}?client_id={client['ClientId']}"
                    f"&logout_uri={relying_party.signed_out}")
        _wait(browser, lambda d: relying_party.last("/signed-out") is not None)
        browser.get(again_url)
        _wait(browser, lambda d: d.find_element(By.ID, "signInFormUsername"))
    finally:
        made.delete()
