"""The API docs page: Swagger UI fetched from npm, served locally, shown in a headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from gateway.apidocs import ASSETS_URL, DOCS_ASSETS, api_document, docs_assets_dir, docs_page
from gateway.app import create_app
from gateway.cli import main
from gateway.graphiql import fetch_assets, missing_assets
from gateway.settings import Settings
from tests.live_server import serving_in_thread
from tests.test_graphiql import URL, _browser_log, _resources, _unavailable, browser  # noqa: F401


@pytest.fixture(scope="module")
def docs_assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Swagger UI's files fetched once with the real npm."""
    if shutil.which("npm") is None:
        _unavailable("npm is not installed (Debian: apt-get install npm)")
    target = tmp_path_factory.mktemp("assets") / "api-docs"
    fetch_assets(target, DOCS_ASSETS)
    return target


def test_fetch_the_docs_assets_with_npm(docs_assets: Path) -> None:
    assert missing_assets(docs_assets, DOCS_ASSETS) == []
    assert b"SwaggerUIBundle" in (docs_assets / "swagger-ui-bundle.js").read_bytes()
    assert b".swagger-ui" in (docs_assets / "swagger-ui.css").read_bytes()
    manifest = json.loads((docs_assets / "manifest.json").read_text())
    assert set(manifest["packages"]) == {"swagger-ui-dist@5.35.0"}
    assert manifest["packages"]["swagger-ui-dist@5.35.0"]["integrity"].startswith("sha512-")


def test_docs_assets_dir(tmp_path: Path) -> None:
    assert docs_assets_dir(Settings(data_dir=tmp_path)) == tmp_path / "api-docs"
    assert docs_assets_dir(Settings(data_dir=tmp_path, api_docs_assets_dir=tmp_path / "x")) == tmp_path / "x"


def test_cli_assets_fetches_both_pages_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[tuple[Path, list[str]]] = []

    def fake_fetch(target: Path, assets: Any = None) -> list[Path]:
        names = [asset.name for asset in assets] if assets is not None else ["graphiql"]
        fetched.append((target, names))
        return []

    monkeypatch.setattr("gateway.graphiql.fetch_assets", fake_fetch)
    result = CliRunner().invoke(main, ["assets", "--dir", str(tmp_path / "g"), "--docs-dir", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert fetched == [(tmp_path / "g", ["graphiql"]), (tmp_path / "d", [asset.name for asset in DOCS_ASSETS])]


def test_page_loads_only_local_assets() -> None:
    page = docs_page("/api/openapi.json", ASSETS_URL)
    assert not URL.search(page)
    references = sorted(re.findall(r'(?:src|href)="([^"]*)"', page))
    assert references == sorted(f"{ASSETS_URL}/{asset.name}" for asset in DOCS_ASSETS)
    assert 'data-document="/api/openapi.json"' in page and "validatorUrl: null" in page
    escaped = docs_page('/x"><script>alert(1)</script>', "/a&b")
    assert "<script>alert(1)" not in escaped and 'href="/a&amp;b/swagger-ui.css"' in escaped


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The gateway on the embedded default under uvicorn; Swagger UI's files where the test says."""
    assets: Path = getattr(request, "param", None) or request.getfixturevalue("docs_assets")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", api_docs_assets_dir=assets, graphiql=False)
    with serving_in_thread(create_app(settings)) as base:
        yield base


def test_the_docs_page_shows_every_operation_in_chromium(browser: Any, served: str, tmp_path: Path) -> None:  # noqa: F811
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    assert httpx.get(f"{served}{ASSETS_URL}/swagger-ui-bundle.js").status_code == 200
    operations = sum(len(item) for item in api_document(Settings(_env_file=None))["paths"].values())
    screenshot = tmp_path / "api-docs.png"
    try:
        browser.get(f"{served}/api/docs")
        WebDriverWait(browser, 60).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == operations
        )
        assert "iredmail-gateway REST API" in browser.find_element(By.CSS_SELECTOR, ".info .title").text
        paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        assert "/user/{mail}/keep_mailbox_days/{days}" in {p.replace("\u200b", "") for p in paths}
        browser.find_element(By.CSS_SELECTOR, "#operations-domain-post_domain_domain .opblock-summary").click()
        WebDriverWait(browser, 30).until(lambda d: "numberOfUsers" in d.find_element(By.ID, "swagger-ui").text)
        assert all(name.startswith(f"{served}/") for name in _resources(browser)), _resources(browser)
    except TimeoutException:
        pytest.fail(f"the docs page did not show the operations\n{_browser_log(browser)}")
    finally:
        browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0


@pytest.mark.parametrize("served", [Path("/nonexistent/api-docs")], indirect=True)
def test_the_page_without_assets_says_how_to_fetch_them(browser: Any, served: str) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{served}/api/docs")
    WebDriverWait(browser, 30).until(lambda d: "not installed" in d.find_element(By.ID, "swagger-ui").text)
    assert "iredmail-gateway assets" in browser.find_element(By.ID, "swagger-ui").text
