"""The interactive path: `make lab` starts a JupyterLab whose kernel has lrlab and live widgets."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

import lrlab

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def test_makefile_lab_target_runs_the_installed_jupyterlab():
    out = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0
    assert ".venv/bin/jupyter lab book/" in out.stdout
    assert ("--allow-root" in out.stdout) == (os.geteuid() == 0)
    version = subprocess.run(
        [BIN / "jupyter", "lab", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip().split(".")[0] == "4"


def test_kernel_imports_this_lrlab_and_displays_a_widget():
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        code = (
            "import lrlab, ipywidgets\n"
            "from IPython.display import display\n"
            "print(lrlab.__file__)\n"
            "display(ipywidgets.IntSlider(value=3))\n"
        )
        outputs: list[dict] = []
        reply = client.execute_interactive(
            code, timeout=60, output_hook=lambda msg: outputs.append(msg)
        )
        assert reply["content"]["status"] == "ok"
        printed = "".join(
            m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream"
        )
        assert Path(printed.strip()) == Path(lrlab.__file__)
        shown = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
        assert any("application/vnd.jupyter.widget-view+json" in data for data in shown)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_jupyterlab_server_starts_headless_with_the_widget_extension(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [
            BIN / "jupyter",
            "lab",
            "--no-browser",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT / 'book'}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = _get(f"{base}/api/status", token)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.5)
        assert status == 200
        status, page = _get(f"{base}/lab", token)
        assert status == 200 and b"JupyterLab" in page
        _, body = _get(f"{base}/api/contents", token)
        names = {item["name"] for item in json.loads(body)["content"]}
        assert "01_constant_lr.ipynb" in names
        _, body = _get(f"{base}/lab/api/extensions", token)
        extensions = {item["name"] for item in json.loads(body)}
        assert "jupyter-widgets-jupyterlab-manager" in extensions
    finally:
        server.terminate()
        server.wait(timeout=30)
