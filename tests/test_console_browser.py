"""The web console in headless Chromium (Debian's chromium + chromedriver, driven by Selenium):
pages load with their stylesheet and script under the strict CSP, forms work, and screenshots
of each step are saved (their directory is printed; COGITO_SCREENSHOTS picks it)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "Passw0rd!x"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600")

pytestmark = pytest.mark.skipif(not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
                                reason="Debian's chromium and chromium-driver are not installed")


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("COGITO_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("console-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nconsole screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="cogito-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Page:
    """The console as the browser shows it."""

    def __init__(self, driver: Any, base: str, shots: Path, backend: str) -> None:
        self.driver, self.base, self.shots, self.backend = driver, base, shots, backend

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str) -> Any:
        return WebDriverWait(self.driver, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))

    def _navigating(self, element: Any) -> None:
        """Click and wait until the next page replaced this one."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(driver: Any) -> bool:
            # ChromeDriver may answer "unhandled inspector error" while the old page is torn
            # down; that too means the old document is gone.
            try:
                return bool(ec.staleness_of(old)(driver))
            except WebDriverException:
                return True

        WebDriverWait(self.driver, 10).until(replaced)

    def click(self, css: str) -> None:
        """Click a link or submit button: a new page loads."""
        self._navigating(self.find(css))

    def check(self, css: str) -> None:
        """Tick a checkbox (no navigation)."""
        self.find(css).click()

    def link(self, text: str) -> None:
        self._navigating(WebDriverWait(self.driver, 10).until(
            ec.element_to_be_clickable((By.PARTIAL_LINK_TEXT, text))))

    def type(self, css: str, text: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def shot(self, name: str) -> Path:
        path = self.shots / f"{self.backend}-{name}.png"
        self.driver.save_screenshot(str(path))
        assert path.stat().st_size > 10_000, "a blank screenshot"
        return path

    def errors(self) -> list[str]:
        """Console errors since the last call (a CSP violation would be one)."""
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def styled(self) -> bool:
        """Whether console.css applied (the header is dark only with it)."""
        color = self.find("header.top").value_of_css_property("background-color")
        return color.replace(" ", "") in ("rgba(22,33,58,1)", "rgb(22,33,58)")


@pytest.fixture
def page(browser: Any, server: Any, shots: Path) -> Page:
    p = Page(browser, server.url, shots, server.backend)
    p.errors()  # drop earlier tests' logs
    return p


def test_pages_load_and_user_actions_work(page: Page, idp: Any, pool: dict[str, Any]) -> None:
    pid = pool["Id"]
    idp.create_user_pool_client(UserPoolId=pid, ClientName="web")
    idp.create_group(UserPoolId=pid, GroupName="editors", Precedence=1)
    page.open("/console/")
    assert page.styled()
    page.shot("01-home")
    page.link("User pools")
    page.link(pool["Name"])
    assert "App clients" in page.text() and "editors" in page.text()
    page.shot("02-pool")
    page.click("ul.tabs a[href$='/users']")
    page.type("#new-username", "alice")
    page.type("#new-email", "alice@example.com")
    page.check("input[name=email_verified]")
    page.type("#new-password", PASSWORD)
    page.check("input[name=permanent]")
    Select(page.find("#new-delivery")).select_by_value("SUPPRESS")
    page.click("#create-user button[type=submit]")
    assert "User alice created (CONFIRMED)." in page.find("p.notice").text
    assert idp.admin_get_user(UserPoolId=pid, Username="alice")["UserStatus"] == "CONFIRMED"
    Select(page.find("#add-group")).select_by_visible_text("editors")
    page.click("form[action$='add-to-group'] button")
    assert page.find("p.notice").text == "Added to group."
    groups = idp.admin_list_groups_for_user(UserPoolId=pid, Username="alice")["Groups"]
    assert [g["GroupName"] for g in groups] == ["editors"]
    page.click("form[action$='/disable'] button")
    assert "User disabled" in page.find("p.notice").text
    assert idp.admin_get_user(UserPoolId=pid, Username="alice")["Enabled"] is False
    page.shot("03-user-disabled")
    page.click("form[action$='/enable'] button")
    assert idp.admin_get_user(UserPoolId=pid, Username="alice")["Enabled"] is True
    assert page.errors() == []


def test_token_inspector_sign_in_countdown_and_revocation(page: Page, idp: Any, pool: dict[str, Any]) -> None:
    pid = pool["Id"]
    idp.create_user_pool_client(UserPoolId=pid, ClientName="web")
    idp.admin_create_user(UserPoolId=pid, Username="bob", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    page.open(f"/console/pools/{pid}/users/bob")
    page.link("Sign in as bob")
    page.type("#password", PASSWORD)
    page.click("form[action$='sign-in'] button")
    assert "must change password" in page.find("section.challenge").text
    page.shot("04-new-password-required")
    page.type("#new_password", "Chosen-Passw0rd")
    page.click("form[action$='new-password'] button")
    table = page.find("#claims")
    assert "aud" in table.text and "client_id" in table.text and "ID token only" in table.text
    countdown = page.find(".token-access .countdown")
    first = countdown.text
    WebDriverWait(page.driver, 5, poll_frequency=0.2).until(lambda _: countdown.text != first)  # the script ticks
    page.shot("05-tokens-side-by-side")
    access = page.driver.find_element(By.ID, "raw-access").get_attribute("value")
    page.open(f"/console/pools/{pid}/users/bob")
    page.click("form[action$='/sign-out'] button")
    assert "Signed out everywhere" in page.find("p.notice").text
    page.open("/console/tokens")
    page.type("#tokens", access)
    page.click("form[action$='inspect'] button")
    card = page.find(".token-access").text
    assert "revoked" in card and "valid" in card and "Access Token has been revoked" in card
    page.shot("06-revoked-but-valid")
    assert page.errors() == []


def test_outbox_and_user_search(page: Page, idp: Any, pool: dict[str, Any], identity: Any) -> None:
    pid = pool["Id"]
    idp.update_user_pool(UserPoolId=pid, AutoVerifiedAttributes=["email"])
    client = idp.create_user_pool_client(UserPoolId=pid, ClientName="web")["UserPoolClient"]["ClientId"]
    for name in ("carol", "dave"):
        idp.sign_up(ClientId=client, Username=name, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    page.open(f"/console/outbox?pool={pid}")
    first = page.find("li.message").text
    assert "dave" in first and "SIGNUP" in first  # newest first
    page.shot("07-outbox")
    page.open(f"/console/pools/{pid}/users")
    page.type("#filter", 'email ^= "car"')
    page.click("form.search button")
    rows = page.find("#users").text
    assert "carol" in rows and "dave" not in rows
    page.shot("08-user-search")
    page.click("#users a")
    page.click("form[action$='/confirm'] button")
    assert idp.admin_get_user(UserPoolId=pid, Username="carol")["UserStatus"] == "CONFIRMED"
    ipid = identity.create_identity_pool(IdentityPoolName=f"ip{uuid.uuid4().hex[:6]}",
                                         AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    try:
        identity.set_identity_pool_roles(IdentityPoolId=ipid,
                                         Roles={"unauthenticated": "arn:aws:iam::000000000000:role/Guest"})
        guest = identity.get_id(IdentityPoolId=ipid)["IdentityId"]
        identity.get_credentials_for_identity(IdentityId=guest)
        page.open(f"/console/identity-pools/{ipid}")
        assert guest in page.find("#identities").text and "role/Guest" in page.text()
        page.shot("09-identity-pool")
    finally:
        identity.delete_identity_pool(IdentityPoolId=ipid)
    assert page.errors() == []
