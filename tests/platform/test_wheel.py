"""The production install works: the wheel, installed outside the checkout, serves styled
pages, its static files, a work-order PDF and a QR label (issue 9, item 14).

This stands for the Docker image (which cannot be built on our machines): the image runs
``pip install .`` and starts ``facilities`` from another directory, so nothing may come from
the source tree. Steps, all outside the checkout:

1. copy ``pyproject.toml``, ``README.md`` and ``facilities/`` to a temporary directory and
   build the wheel there with pip (build isolation, as ``pip install .`` does: setuptools
   from the package index; nothing is written into the checkout);
2. a fresh virtualenv (``python -m venv --without-pip``) gets the wheel with ``--no-deps``
   (the shared venv's pip, ``--python``). Its dependencies come from the shared venv through
   a ``.pth`` file naming that venv's site-packages: a path entry only, so the shared venv's
   own ``.pth`` files — the editable finder that maps ``facilities`` to the checkout — are
   never run, and the first check below proves ``facilities`` is imported from the wheel;
3. from an empty directory, with a clean environment (no ``PYTHONPATH``, no test settings,
   ``FACILITIES_ENV=production``, a fresh SQLite file): ``facilities migrate``, ``facilities
   demo``, ``facilities serve`` on a free port, then HTTP checks.

Runs in one half of ``make test`` only (``one_engine("sqlite")``): nothing here touches the
test database, so a second run on the other engine would prove nothing new.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_SITE = sysconfig.get_paths()["purelib"]  # the venv running the tests

# Engine-independent (the installed app runs on its own SQLite file, never on the test
# database): runs once, in the SQLite half of `make test`. Estimate from the measured
# figures: SQLite half ~743 s with it, PostgreSQL half ~683 s without it (the other way round
# 652 s / 774 s), assuming both halves took ~959 s before; the PostgreSQL half has the two
# every-page roles that took 125 s, the SQLite half three (172 s) and the label sheet.
pytestmark = [pytest.mark.slow, pytest.mark.one_engine("sqlite")]


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def installed() -> Iterator[tuple[Path, dict[str, str]]]:
    """A virtualenv outside the checkout with the wheel installed; its clean environment."""
    tmp = Path(tempfile.mkdtemp(prefix="facilities-wheel-"))
    try:
        source = tmp / "source"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        shutil.copytree(
            ROOT / "facilities",
            source / "facilities",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        base_env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
        _run(
            [*pip, "wheel", "--no-deps", "-w", str(tmp / "dist"), str(source)],
            cwd=tmp,
            env=base_env,
        )
        (wheel,) = (tmp / "dist").glob("facilities-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        assert "facilities/static/app.css" in names
        assert "facilities/templates/base.html" in names

        venv = tmp / "venv"
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp, env=base_env)
        python = venv / "bin" / "python"
        _run(
            [*pip, "--python", str(python), "install", "--no-deps", str(wheel)],
            cwd=tmp,
            env=base_env,
        )
        site = Path(
            _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                 cwd=tmp, env=base_env).strip()
        )  # fmt: skip
        (site / "shared_dependencies.pth").write_text(SHARED_SITE + "\n")

        work = tmp / "elsewhere"
        work.mkdir()
        env = {
            **base_env,
            "FACILITIES_ENV": "production",
            "FACILITIES_SECRET_KEY": "wheel-smoke-test-secret-key-0123456789abcdef",
            "FACILITIES_DATABASE_URL": f"sqlite:///{tmp / 'fresh.sqlite3'}",
            "FACILITIES_VAR_DIR": str(tmp / "var"),
            "FACILITIES_SCHEDULER": "false",
        }
        where = _run(
            [str(python), "-c", "import facilities, facilities.app as a; print(facilities.__file__); print(a.STATIC_DIR)"],
            cwd=work,
            env=env,
        ).split()  # fmt: skip
        assert all(Path(p).is_relative_to(site) for p in where), (
            where
        )  # the wheel, not the checkout
        yield venv, env
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_the_installed_wheel_serves_pages_static_files_pdfs_and_qr_labels(
    installed: tuple[Path, dict[str, str]],
) -> None:
    import zxingcpp
    from PIL import Image
    from pypdf import PdfReader

    venv, env = installed
    cli = str(venv / "bin" / "facilities")
    work = Path(env["FACILITIES_VAR_DIR"]).parent / "elsewhere"
    assert "migrations applied:" in _run([cli, "migrate"], cwd=work, env=env)
    demo = _run([cli, "demo"], cwd=work, env=env)
    password = re.search(r"password: ([^)]+)\)", demo)
    admin = re.search(r"admin\s+(\S+@\S+)", demo)
    assert password and admin, demo

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [cli, "serve", "--port", str(port), "--no-migrate"],
        cwd=work,
        env={**env, "FACILITIES_BASE_URL": base},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(600):  # bounded: about 60 s
                try:
                    if client.get("/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                try:
                    server.wait(0.1)  # returns only if the server died
                except subprocess.TimeoutExpired:
                    continue
                raise AssertionError(server.stderr.read().decode()[-3000:])  # type: ignore[union-attr]
            else:
                raise AssertionError("the installed server did not become ready")
            login = client.get("/login")
            assert login.status_code == 200
            # A styled page: it links the stylesheet, and every static file it names is there.
            assert 'href="/static/app.css' in login.text, login.text[:2000]
            _check_static(client, login.text)
            css = client.get("/static/app.css")
            assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
            assert len(css.content) > 1000
            icon = client.get("/static/icons/favicon.svg")
            assert icon.status_code == 200 and icon.headers["content-type"].startswith(
                "image/svg+xml"
            )

            token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text)
            assert token
            signed_in = client.post(
                "/login",
                data={
                    "email": admin.group(1),
                    "password": password.group(1),
                    "_csrf_token": token.group(1),
                    "next": "/",
                },
            )
            assert signed_in.status_code in (302, 303), signed_in.text[:2000]
            home = client.get("/")
            assert home.status_code == 200
            _check_static(client, home.text)

            orders = client.get("/api/v1/work-orders").json()
            order = (orders["items"] if isinstance(orders, dict) else orders)[0]
            sheet = client.get(f"/work-orders/{order['id']}/sheet.pdf")
            assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(sheet.content)).pages)
            assert " ".join(order["title"].split()) in " ".join(text.split())

            assets = client.get("/api/v1/assets").json()
            asset = (assets["items"] if isinstance(assets, dict) else assets)[0]
            (code, *_rest) = client.get(f"/api/v1/assets/{asset['id']}/qr-codes").json()
            png = client.get(f"/api/v1/qr/{code['code']}.png")
            assert png.status_code == 200 and png.headers["content-type"] == "image/png"
            (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
            assert decoded.text == code["url"]
            svg = client.get(f"/api/v1/qr/{code['code']}.svg")
            assert svg.status_code == 200 and b"<svg" in svg.content
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _check_static(client: httpx.Client, html: str) -> None:
    """Every ``/static/…`` file the page links or loads answers 200 (CSS, icons, scripts)."""
    paths = set(re.findall(r'(?:href|src)="(/static/[^"?#]+)', html))
    assert paths, "the page names no static file"
    for path in sorted(paths):
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
