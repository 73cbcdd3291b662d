"""GraphiQL served from local files: fetching its assets from npm packages and the page that loads them.

The explorer at ``/graphql`` must work without internet access, so React,
ReactDOM and GraphiQL are taken from the npm registry's tarballs at install
time (``iredmail-gateway assets``) and served under ``/graphiql-assets``.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import posixpath
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from gateway.settings import Settings

logger = logging.getLogger(__name__)

ASSETS_URL = "/graphiql-assets"
MANIFEST = "manifest.json"
FETCH_COMMAND = "iredmail-gateway assets"
MAX_ASSET_BYTES = 32 * 1024 * 1024
NPM_TIMEOUT = 300.0


class AssetsError(RuntimeError):
    """The GraphiQL assets could not be fetched or extracted."""


@dataclass(frozen=True)
class Asset:
    """One file served to the browser: its name here, its npm package and its path in that package's tarball."""

    name: str
    package: str
    version: str
    member: str

    @property
    def spec(self) -> str:
        """``package@version`` as given to ``npm pack``."""
        return f"{self.package}@{self.version}"


ASSET_FILES: list[Asset] = [
    Asset("react.production.min.js", "react", "18.2.0", "package/umd/react.production.min.js"),
    Asset("react-dom.production.min.js", "react-dom", "18.2.0", "package/umd/react-dom.production.min.js"),
    Asset("graphiql.min.js", "graphiql", "3.8.3", "package/graphiql.min.js"),
    Asset("graphiql.min.css", "graphiql", "3.8.3", "package/graphiql.min.css"),
]


def assets_dir(settings: Settings) -> Path:
    """Where the assets live: ``GATEWAY_GRAPHIQL_ASSETS_DIR``, else ``<data_dir>/graphiql``."""
    if settings.graphiql_assets_dir is not None:
        return settings.graphiql_assets_dir
    return settings.data_dir / "graphiql"


def _read_manifest(target: Path) -> dict[str, object]:
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def missing_assets(target: Path, assets: Sequence[Asset] = ASSET_FILES) -> list[str]:
    """Names of the assets that are absent, empty, or not of the versions this release expects."""
    files = _read_manifest(target).get("files")
    recorded = files if isinstance(files, dict) else {}
    missing = []
    for asset in assets:
        path = target / asset.name
        entry = recorded.get(asset.name)
        current = isinstance(entry, dict) and entry.get("package") == asset.spec
        if not current or not path.is_file() or path.stat().st_size == 0:
            missing.append(asset.name)
    return missing


def _safe_member_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    normalized = posixpath.normpath(name)
    return not (normalized.startswith("/") or normalized == ".." or normalized.startswith("../"))


def extract_files(tarball: Path, wanted: Mapping[str, str], destination: Path) -> list[Path]:
    """Copy the tarball members ``wanted`` maps to file names into ``destination``.

    The whole archive is refused when any entry's path is absolute or leaves
    the archive (``..``); a wanted member must be a regular file. Nothing is
    extracted by ``tarfile`` itself: members are read and written by name.
    """
    for name in wanted.values():
        if not name or name != Path(name).name or name in {".", ".."}:
            raise AssetsError(f"{tarball.name}: refusing to write {name!r}: not a plain file name")
    written = []
    try:
        with tarfile.open(tarball, "r:*") as archive:
            members = archive.getmembers()
            unsafe = [m.name for m in members if not _safe_member_name(m.name)]
            if unsafe:
                raise AssetsError(f"{tarball.name}: refusing an archive with unsafe paths: {', '.join(unsafe[:5])}")
            by_name = {posixpath.normpath(m.name): m for m in members}
            for member_name, file_name in wanted.items():
                if not _safe_member_name(member_name):
                    raise AssetsError(f"{tarball.name}: refusing unsafe path {member_name!r}")
                member = by_name.get(posixpath.normpath(member_name))
                if member is None:
                    raise AssetsError(f"{tarball.name}: {member_name} not found in the package")
                if not member.isfile():
                    raise AssetsError(f"{tarball.name}: {member_name} is not a regular file")
                if member.size > MAX_ASSET_BYTES:
                    raise AssetsError(f"{tarball.name}: {member_name} is larger than {MAX_ASSET_BYTES} bytes")
                source = archive.extractfile(member)
                if source is None:
                    raise AssetsError(f"{tarball.name}: {member_name} cannot be read")
                path = destination / file_name
                with source, open(path, "wb") as out:
                    shutil.copyfileobj(source, out)
                if path.stat().st_size == 0:
                    raise AssetsError(f"{tarball.name}: {member_name} is empty")
                written.append(path)
    except (tarfile.TarError, OSError) as exc:
        raise AssetsError(f"{tarball.name}: cannot read the package: {exc}") from exc
    return written


def _npm_pack(npm: str, spec: str, destination: Path) -> tuple[Path, str]:
    """Download ``spec``'s tarball with ``npm pack``; its path and the registry's integrity hash."""
    command = [npm, "pack", spec, "--pack-destination", str(destination), "--json"]
    try:
        result = subprocess.run(
            command, cwd=destination, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise AssetsError(f"npm pack {spec} did not finish within {NPM_TIMEOUT:.0f} s") from exc
    except OSError as exc:
        raise AssetsError(f"cannot run npm ({exc}): install Node.js and npm (Debian: apt-get install npm)") from exc
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if "npm warn" not in line.lower()]
        detail = "\n".join(lines[-10:]).strip() or result.stdout.strip()[-1000:]
        raise AssetsError(f"npm pack {spec} failed (exit {result.returncode}): {detail}")
    try:
        info = json.loads(result.stdout)[0]
        tarball = destination / str(info["filename"])
        integrity = str(info.get("integrity", ""))
    except (ValueError, LookupError, TypeError):
        found = sorted(destination.glob("*.tgz"))
        if len(found) != 1:
            raise AssetsError(f"npm pack {spec}: cannot tell which tarball it wrote") from None
        tarball, integrity = found[0], ""
    if not tarball.is_file():
        raise AssetsError(f"npm pack {spec}: {tarball.name} was not written")
    return tarball, integrity


def fetch_assets(target: Path, assets: Sequence[Asset] = ASSET_FILES) -> list[Path]:
    """Fetch ``assets`` with ``npm pack`` into ``target``, replacing what is there in one rename.

    A ``manifest.json`` records each file's package, version and SHA-256.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError(
            "npm was not found: install Node.js and npm (Debian: apt-get install npm), "
            f"then run `{FETCH_COMMAND}` again"
        )
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        packages: dict[str, dict[str, str]] = {}
        files: dict[str, dict[str, str]] = {}
        specs = list(dict.fromkeys(asset.spec for asset in assets))
        with tempfile.TemporaryDirectory(prefix="graphiql-npm-") as download:
            for spec in specs:
                pack_dir = Path(download) / spec.replace("/", "_").replace("@", "_")
                pack_dir.mkdir()
                tarball, integrity = _npm_pack(npm, spec, pack_dir)
                wanted = {asset.member: asset.name for asset in assets if asset.spec == spec}
                extract_files(tarball, wanted, staging)
                packages[spec] = {"tarball": tarball.name, "integrity": integrity}
        for asset in assets:
            digest = hashlib.sha256((staging / asset.name).read_bytes()).hexdigest()
            files[asset.name] = {"package": asset.spec, "path": asset.member, "sha256": digest}
        manifest = {"packages": packages, "files": files}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        staging.chmod(0o755)
        _replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / asset.name for asset in assets]


def _replace_dir(source: Path, target: Path) -> None:
    """Put ``source`` at ``target``; an existing ``target`` is moved aside first and removed after."""
    old: Path | None = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        os.rename(target, old / target.name)
    try:
        os.rename(source, target)
    except OSError:
        if old is not None:
            os.rename(old / target.name, target)
            old.rmdir()
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


PAGE_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
"""
"""The start of a page served to browsers: no referrer leaves it."""

_PAGE = PAGE_HEAD + """<title>GraphiQL · iredmail-gateway</title>
<link rel="stylesheet" href="{css}">
<style>
html, body {{ height: 100%; margin: 0; }}
#graphiql {{ height: 100vh; }}
#graphiql > p {{ font-family: sans-serif; padding: 1em 2em; }}
</style>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}" data-fetch-command="{command}">
<noscript><p>GraphiQL needs JavaScript.</p></noscript>
</div>
<script>
(function () {{
  var root = document.getElementById("graphiql");
  if (typeof window.React === "undefined" || typeof window.ReactDOM === "undefined"
      || typeof window.GraphiQL === "undefined") {{
    var message = document.createElement("p");
    message.textContent = "GraphiQL's files are not installed on this server. "
      + "Fetch them with `" + root.dataset.fetchCommand + "` and reload this page.";
    root.replaceChildren(message);
    return;
  }}
  var endpoint = root.dataset.endpoint;
  function fetcher(params, options) {{
    var headers = {{"Content-Type": "application/json", "Accept": "application/json"}};
    var extra = (options && options.headers) || {{}};
    Object.keys(extra).forEach(function (name) {{ headers[name] = extra[name]; }});
    return fetch(endpoint, {{
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(params)
    }}).then(function (response) {{
      return response.text().then(function (text) {{
        try {{ return JSON.parse(text); }}
        catch (error) {{ return {{errors: [{{message: "HTTP " + response.status + ": " + text}}]}}; }}
      }});
    }});
  }}
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, {{fetcher: fetcher}}));
}})();
</script>
</body>
</html>
"""


def graphiql_page(endpoint: str, assets_url: str) -> str:
    """The GraphiQL page querying ``endpoint`` with the session cookie, loading its files from ``assets_url``."""
    base = assets_url.rstrip("/")

    def asset(name: str) -> str:
        return html.escape(f"{base}/{name}", quote=True)

    return _PAGE.format(
        css=asset("graphiql.min.css"),
        react=asset("react.production.min.js"),
        react_dom=asset("react-dom.production.min.js"),
        graphiql=asset("graphiql.min.js"),
        endpoint=html.escape(endpoint, quote=True),
        command=html.escape(FETCH_COMMAND, quote=True),
    )


class AssetFiles(StaticFiles):
    """Static files whose folder may appear later: until it exists every request is a plain 404."""

    async def check_config(self) -> None:
        if self.directory is not None and not Path(self.directory).is_dir():
            return
        await super().check_config()


def graphiql_routes(settings: Settings) -> list[BaseRoute]:
    """The static files under ``/graphiql-assets``; a warning is logged when they are missing."""
    directory = assets_dir(settings)
    if settings.graphiql:
        missing = missing_assets(directory)
        if missing:
            logger.warning("GraphiQL files missing in %s (%s): run `%s`", directory, ", ".join(missing), FETCH_COMMAND)
    return [Mount(ASSETS_URL, app=AssetFiles(directory=directory, check_dir=False), name="graphiql-assets")]
