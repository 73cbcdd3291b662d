"""GraphiQL from local files: fetching the npm assets, the page, and the explorer in a headless Chromium."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from gateway.cli import main
from gateway.graphiql import (
    ASSET_FILES,
    AssetsError,
    assets_dir,
    extract_files,
    fetch_assets,
    graphiql_page,
    graphiql_routes,
    missing_assets,
)
from gateway.settings import Settings
from tests.live_server import free_port, serving_in_thread

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ADMIN = "postmaster@gateway.local"
QUERY = "{ me { username isGlobal } }"
URL = re.compile(r"https?://|//[a-z0-9]", re.IGNORECASE)


def _unavailable(reason: str) -> None:
    """Skip, or fail when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The assets fetched once with the real npm."""
    if shutil.which("npm") is None:
        _unavailable("npm is not installed (Debian: apt-get install npm)")
    target = tmp_path_factory.mktemp("assets") / "graphiql"
    target.mkdir()
    (target / "stale.js").write_text("old")
    fetch_assets(target)
    return target


def _tarball(path: Path, entries: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if symlink is not None:
            link = tarfile.TarInfo(symlink)
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            archive.addfile(link)
    return path


def test_fetch_assets_with_npm(assets: Path) -> None:
    assert missing_assets(assets) == []
    assert not (assets / "stale.js").exists()
    assert not [p for p in assets.parent.iterdir() if p.name.startswith(".")]
    for asset in ASSET_FILES:
        data = (assets / asset.name).read_bytes()
        assert len(data) > 1000, asset.name
        assert asset.name.endswith((".js", ".css"))
    assert b"createElement" in (assets / "react.production.min.js").read_bytes()
    assert b"createRoot" in (assets / "react-dom.production.min.js").read_bytes()
    assert b"GraphiQL" in (assets / "graphiql.min.js").read_bytes()
    assert b".graphiql-container" in (assets / "graphiql.min.css").read_bytes()
    manifest = json.loads((assets / "manifest.json").read_text())
    assert set(manifest["packages"]) == {"react@18.2.0", "react-dom@18.2.0", "graphiql@3.8.3"}
    assert all(entry["integrity"].startswith("sha512-") for entry in manifest["packages"].values())


def test_missing_assets(assets: Path, tmp_path: Path) -> None:
    names = [asset.name for asset in ASSET_FILES]
    assert missing_assets(tmp_path / "absent") == names
    copy = tmp_path / "copy"
    shutil.copytree(assets, copy)
    (copy / "graphiql.min.css").write_bytes(b"")
    (copy / "react.production.min.js").unlink()
    assert missing_assets(copy) == ["react.production.min.js", "graphiql.min.css"]
    manifest = json.loads((assets / "manifest.json").read_text())
    manifest["files"]["graphiql.min.js"]["package"] = "graphiql@0.0.1"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert "graphiql.min.js" in missing_assets(copy)


def test_extract_files_takes_only_what_is_asked(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "ok.tgz", {"package/a.js": b"a();", "package/b.js": b"b();"})
    out = tmp_path / "out"
    out.mkdir()
    assert extract_files(tarball, {"package/a.js": "a.js"}, out) == [out / "a.js"]
    assert [p.name for p in out.iterdir()] == ["a.js"]
    with pytest.raises(AssetsError, match="not found"):
        extract_files(tarball, {"package/c.js": "c.js"}, out)


@pytest.mark.parametrize("entry", ["package/../../evil.js", "../evil.js", "/tmp/evil.js"])
def test_extract_files_refuses_path_traversal(tmp_path: Path, entry: str) -> None:
    tarball = _tarball(tmp_path / "bad.tgz", {"package/a.js": b"a();", entry: b"evil();"})
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    with pytest.raises(AssetsError, match="unsafe"):
        extract_files(tarball, {"package/a.js": "a.js"}, out)
    with pytest.raises(AssetsError, match="unsafe"):
        extract_files(tarball, {entry: "evil.js"}, out)
    assert list(out.iterdir()) == []
    assert not (tmp_path / "evil.js").exists() and not (tmp_path / "deep" / "evil.js").exists()


def test_extract_files_refuses_links_and_bad_names(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "link.tgz", {"package/a.js": b"a();"}, symlink="package/link.js")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(AssetsError, match="not a regular file"):
        extract_files(tarball, {"package/link.js": "link.js"}, out)
    with pytest.raises(AssetsError, match="plain file name"):
        extract_files(tarball, {"package/a.js": "../a.js"}, out)
    assert list(out.iterdir()) == []


def test_fetch_assets_without_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(AssetsError, match="install Node.js and npm"):
        fetch_assets(tmp_path / "graphiql")
    assert not (tmp_path / "graphiql").exists()


def test_fetch_assets_when_npm_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text("#!/bin/sh\necho 'npm error 404 Not Found - GET registry' >&2\nexit 1\n")
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    target = tmp_path / "data" / "graphiql"
    with pytest.raises(AssetsError, match=r"npm pack react@18\.2\.0 failed \(exit 1\): npm error 404"):
        fetch_assets(target)
    assert list(target.parent.iterdir()) == []


def test_cli_assets_reports_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = CliRunner().invoke(main, ["assets", "--dir", str(tmp_path / "graphiql")])
    assert result.exit_code == 2
    assert "npm was not found" in result.output


def test_assets_dir(tmp_path: Path) -> None:
    assert assets_dir(Settings(data_dir=tmp_path)) == tmp_path / "graphiql"
    assert assets_dir(Settings(data_dir=tmp_path, graphiql_assets_dir=tmp_path / "x")) == tmp_path / "x"


def test_page_loads_only_local_assets() -> None:
    page = graphiql_page("/graphql", "/graphiql-assets")
    assert not URL.search(page)
    references = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sorted(references) == sorted(f"/graphiql-assets/{asset.name}" for asset in ASSET_FILES)
    assert 'data-endpoint="/graphql"' in page
    assert 'credentials: "same-origin"' in page
    assert "iredmail-gateway assets" in page


def test_page_escapes_what_it_interpolates() -> None:
    page = graphiql_page('/graphql?x="><script>alert(1)</script>', "/a&b/")
    assert "<script>alert(1)" not in page
    assert 'data-endpoint="/graphql?x=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert 'src="/a&amp;b/graphiql.min.js"' in page


async def test_routes_serve_the_assets(assets: Path, tmp_path: Path) -> None:
    app = Starlette(routes=graphiql_routes(Settings(data_dir=tmp_path, graphiql_assets_dir=assets)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        response = await client.get("/graphiql-assets/graphiql.min.js")
        assert response.status_code == 200 and "javascript" in response.headers["content-type"]
        css = await client.get("/graphiql-assets/graphiql.min.css")
        assert css.headers["content-type"].startswith("text/css")
    empty = Starlette(routes=graphiql_routes(Settings(data_dir=tmp_path)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=empty), base_url="http://gateway") as client:
        assert (await client.get("/graphiql-assets/graphiql.min.js")).status_code == 404


# The explorer in a real browser.


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A headless Debian Chromium driven through chromedriver, with a fresh profile."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            _unavailable(f"{path} is missing (Debian: apt-get install {package})")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install -e '.[test]')")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _browser_log(driver: Any) -> str:
    try:
        return "\n".join(str(entry.get("message")) for entry in driver.get_log("browser"))
    except Exception as exc:
        return f"(no browser log: {exc})"


def _resources(driver: Any) -> list[str]:
    names: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; });"
    )
    return names


@pytest.fixture
def service(assets: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``python -m gateway serve`` on the embedded default; its base URL and the admin's generated password."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")}
    env.update(
        GATEWAY_DATA_DIR=str(tmp_path / "data"),
        GATEWAY_PORT=str(port),
        GATEWAY_GRAPHIQL_ASSETS_DIR=str(assets),
        PYTHONUNBUFFERED="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve"], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        password = None
        while True:
            output = log.read_text()
            if process.poll() is not None:
                pytest.fail(f"the service exited with {process.returncode}:\n{output}")
            if time.monotonic() > deadline:
                pytest.fail(f"the service did not become healthy:\n{output}")
            match = re.search(r"its password \(shown only this once\): (\S+)", output)
            password = match.group(1) if match else None
            try:
                healthy = httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                healthy = False
            if healthy and password:
                break
            time.sleep(0.2)
        yield base, password
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_graphiql_runs_a_query_in_chromium(browser: Any, service: tuple[str, str], tmp_path: Path) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, password = service
    asset = httpx.get(f"{base}/graphiql-assets/graphiql.min.js")
    assert asset.status_code == 200, "the service does not serve graphiql_routes(settings) under /graphiql-assets"
    screenshot = tmp_path / "graphiql.png"
    try:
        browser.get(f"{base}/healthz")
        status, body = browser.execute_script(
            """
            var xhr = new XMLHttpRequest();
            xhr.open("POST", "/api/login", false);
            xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
            xhr.send(new URLSearchParams({username: arguments[0], password: arguments[1]}).toString());
            return [xhr.status, xhr.responseText];
            """,
            ADMIN,
            password,
        )
        assert status == 200, body

        browser.get(f"{base}/graphql")
        editor = ".graphiql-query-editor .CodeMirror"
        WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, editor))
        browser.execute_script(
            f"document.querySelector({json.dumps(editor)}).CodeMirror.setValue(arguments[0]);", QUERY
        )
        browser.find_element(By.CSS_SELECTOR, "button.graphiql-execute-button").click()
        result = ".graphiql-response"
        WebDriverWait(browser, 60).until(
            lambda d: ADMIN in "".join(e.text for e in d.find_elements(By.CSS_SELECTOR, result))
        )
        response = json.loads(browser.find_element(By.CSS_SELECTOR, result).text)
        assert response == {"data": {"me": {"username": ADMIN, "isGlobal": True}}}
        assert all(name.startswith(f"{base}/") for name in _resources(browser)), _resources(browser)
    except TimeoutException:
        texts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#graphiql, .graphiql-response")]
        pytest.fail(f"GraphiQL did not show the result: {texts}\n{_browser_log(browser)}")
    finally:
        browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0


@pytest.fixture
def page_without_assets(tmp_path: Path) -> Iterator[str]:
    """A server with the page and an empty assets folder."""

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_page("/graphql", "/graphiql-assets"))

    settings = Settings(data_dir=tmp_path, graphiql_assets_dir=tmp_path / "none")
    app = Starlette(routes=[Route("/graphql", page), *graphiql_routes(settings)])
    with serving_in_thread(app, lifespan="off") as base:
        yield base


def test_page_without_assets_says_how_to_fetch_them(browser: Any, page_without_assets: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{page_without_assets}/graphql")
    WebDriverWait(browser, 30).until(lambda d: "not installed" in d.find_element(By.ID, "graphiql").text)
    assert "iredmail-gateway assets" in browser.find_element(By.ID, "graphiql").text
