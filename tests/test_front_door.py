"""The front door at ``/``: a page for people (seen in headless Chromium), JSON for clients that ask."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway import __version__
from gateway.app import create_app
from gateway.front import storage, wants_json
from gateway.settings import Settings
from tests.live_server import serving_in_thread
from tests.test_graphiql import browser  # noqa: F401  (the Chromium fixture)

LINKS = ["/graphql", "/api/docs", "/healthz", "/readyz", "/metrics"]


def embedded(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", **overrides)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(embedded(tmp_path))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as value:
            yield value


async def test_json_for_clients_that_ask(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "service": "iredmail-gateway",
        "version": __version__,
        "storage": "sqlite",
        "links": {"graphql": "/graphql", "api_docs": "/api/docs", "healthz": "/healthz", "readyz": "/readyz",
                  "metrics": "/metrics"},
    }
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize("accept", [None, "*/*", "text/html", "text/html,application/json;q=0.9"])
async def test_page_for_browsers(client: httpx.AsyncClient, accept: str | None) -> None:
    response = await client.get("/", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<strong id="version">{__version__}</strong>' in response.text
    assert "SQLite (embedded" in response.text
    for link in LINKS:
        assert f'href="{link}"' in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("accept", "json"),
    [
        ("application/json", True),
        ("application/json, text/plain, */*", True),
        ("text/html;q=0.5, application/json", True),
        ("application/*", True),
        ("text/html, application/json", False),
        ("*/*", False),
        ("", False),
        ("application/json;q=0, */*", False),
        ("application/json;q=nonsense, text/html;q=0.1", False),
    ],
)
def test_wants_json(accept: str, json: bool) -> None:
    assert wants_json(accept) is json


def test_storage_names_the_store_not_its_dsn(tmp_path: Path) -> None:
    assert storage(embedded(tmp_path)) == "sqlite"
    mysql = Settings(_env_file=None, vmail_dsn="mysql://vmail:S3cret-Dsn@db/vmail", iredapd_dsn="mysql://db/iredapd")
    assert storage(mysql) == "mysql"
    pgsql = Settings(_env_file=None, vmail_dsn="postgresql://db/vmail", iredapd_dsn="postgresql://db/iredapd")
    assert storage(pgsql) == "postgresql"
    assert storage(Settings(_env_file=None, backend="ldap")) == "ldap"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The gateway on embedded SQLite, served by uvicorn on a free port."""
    with serving_in_thread(create_app(embedded(tmp_path))) as base:
        yield base


def test_the_page_in_chromium(browser: Any, served: str, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.get(f"{served}/")
    assert browser.title == f"iredmail-gateway {__version__}"
    assert browser.find_element(By.TAG_NAME, "h1").text == "iredmail-gateway"
    assert browser.find_element(By.ID, "version").text == __version__
    assert browser.find_element(By.ID, "storage").text.startswith("SQLite")
    anchors = browser.find_elements(By.CSS_SELECTOR, "#links a")
    assert [anchor.get_attribute("href") for anchor in anchors] == [f"{served}{link}" for link in LINKS]
    assert all(anchor.is_displayed() for anchor in anchors)
    screenshot = tmp_path / "front-door.png"
    assert browser.save_screenshot(str(screenshot))
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == tuple(browser.execute_script("return [window.innerWidth, window.innerHeight];"))

    [link for link in anchors if link.get_attribute("href").endswith("/healthz")][0].click()
    assert '"status":"ok"' in browser.find_element(By.TAG_NAME, "body").text.replace(" ", "")
