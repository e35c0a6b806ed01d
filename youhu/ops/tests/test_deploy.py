"""deploy/: the env template passes `youhu check --deploy`, gunicorn started with it serves the portal and its
CSS over the proxy's HTTPS, the systemd units and the nginx site are valid, and the nightly backup job works."""

from __future__ import annotations

import configparser
import http.client
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from .helpers import A_SECRET_KEY, DEPLOY, REPO, YOUHU, clean_env, template_env, youhu

HOST = template_env()["YOUHU_ALLOWED_HOSTS"].split(",")[0]
UNITS = sorted(DEPLOY.glob("youhu-*.service")) + sorted(DEPLOY.glob("youhu-*.timer"))


def production_env(tmp_path: Path) -> dict[str, str]:
    """The template's settings, with what every installation fills in itself: its key, database, folders."""
    values = {**template_env(), "YOUHU_SECRET_KEY": A_SECRET_KEY,
              "YOUHU_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'youhu.sqlite3'}"}
    values.pop("YOUHU_VAR_DIR")
    values.pop("YOUHU_SHARED_DIR")
    return clean_env(tmp_path / "var", **values)


def test_the_template_needs_a_secret_key_and_turns_debug_off():
    values = template_env()
    assert values["YOUHU_DEBUG"] == "0" and values["YOUHU_SECRET_KEY"] == ""  # each installation makes its own
    assert values["YOUHU_TRUSTED_PROXIES"] == "1"  # nginx in front


def test_check_deploy_passes_with_the_production_settings(tmp_path):
    done = youhu("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)" in done.stdout
    assert "WARNING" not in done.stderr + done.stdout


def test_check_deploy_would_warn_about_plain_http(tmp_path):
    done = youhu("check", "--deploy", env={**production_env(tmp_path), "YOUHU_HTTPS": "0"})
    assert "security.W004" in done.stderr and "security.W008" in done.stderr  # no HSTS, no redirect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, *, https: bool = True) -> http.client.HTTPResponse:
    # As nginx forwards it: the site's name, the client's address appended, the scheme it was reached by.
    headers = {"Host": HOST, "X-Forwarded-For": "203.0.113.7"}
    if https:
        headers["X-Forwarded-Proto"] = "https"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory, migrated):
    env = {**production_env(tmp_path_factory.mktemp("gunicorn")), "YOUHU_WORKERS": "1"}
    migrated(env)
    port = _free_port()
    server = subprocess.Popen(
        [str(YOUHU.with_name("gunicorn")), "youhu.wsgi", "-c", str(REPO / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}"], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_with_the_template_serves_the_portal_and_its_css(gunicorn):
    page = _get(gunicorn, "/portal/")
    assert page.status == 200, page.body[:500]
    portal = page.body.decode()
    assert "我要反映" in portal
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    cookies = page.headers.get_all("Set-Cookie") or []
    assert cookies and all("Secure" in cookie for cookie in cookies)
    # The portal's styles, inline or linked, and the staff pages' stylesheet (served by the app, WhiteNoise).
    login = _get(gunicorn, "/login/")
    assert login.status == 200
    stylesheets = re.findall(r'<link[^>]+href="(/static/[^"]+\.css)"', portal + login.body.decode())
    assert stylesheets and ("<style>" in portal or any(href in portal for href in stylesheets))
    for href in stylesheets:
        css = _get(gunicorn, href)
        assert css.status == 200 and css.getheader("Content-Type").startswith("text/css") and b"{" in css.body


def test_gunicorn_redirects_plain_http_to_https(gunicorn):
    page = _get(gunicorn, "/portal/", https=False)
    assert page.status == 301 and page.getheader("Location") == f"https://{HOST}/portal/"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def test_the_units_run_the_three_processes_with_the_env_file():
    commands = {path.name: _unit(path)["Service"]["ExecStart"] for path in UNITS if path.suffix == ".service"}
    assert "gunicorn youhu.wsgi" in commands["youhu-web.service"]
    assert commands["youhu-queue.service"].endswith("youhu run_huey")
    assert "youhu escalate --loop" in commands["youhu-escalate.service"]
    assert "youhu backup --output" in commands["youhu-backup.service"]
    for path in UNITS:
        if path.suffix == ".service":
            service = _unit(path)["Service"]
            assert service["EnvironmentFile"] == "/etc/youhu/youhu.env" and service["User"] == "youhu"
    assert _unit(DEPLOY / "youhu-backup.timer")["Timer"]["OnCalendar"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    # Installed as deploy/ says: the checkout in /opt/youhu; here, this checkout (its .venv must exist).
    for path in UNITS:
        (tmp_path / path.name).write_text(path.read_text().replace("/opt/youhu", str(REPO)))
    done = subprocess.run(["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_nightly_backup_command_writes_a_backup(tmp_path, migrated):
    env = production_env(tmp_path)
    migrated(env)
    backups = tmp_path / "backups"
    backups.mkdir()
    # systemd's own unescaping: %% is %, $$ is $
    command = _unit(DEPLOY / "youhu-backup.service")["Service"]["ExecStart"].replace("%%", "%").replace("$$", "$")
    command = command.replace("/opt/youhu", str(REPO)).replace("/var/backups/youhu", str(backups))
    assert command.startswith("/bin/sh -c '") and command.endswith("'")
    done = subprocess.run(["/bin/sh", "-c", command[len("/bin/sh -c '"):-1]], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [written] = backups.glob("youhu-*.tar.gz")
    assert re.fullmatch(r"youhu-\d{8}-\d{6}\.tar\.gz", written.name)


NGINX = (DEPLOY / "nginx-youhu.conf").read_text()


def test_the_nginx_site_matches_the_application():
    var_dir = template_env()["YOUHU_VAR_DIR"]
    limit = int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1))
    assert limit * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert re.findall(r"root (\S+);", NGINX).count(var_dir) == 2  # /static/ and /media/ under YOUHU_VAR_DIR
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in NGINX
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX
    assert "proxy_set_header Host $host;" in NGINX
    assert f"server_name {HOST};" in NGINX and "server 127.0.0.1:8000;" in NGINX
    assert "--bind 127.0.0.1:8000" in _unit(DEPLOY / "youhu-web.service")["Service"]["ExecStart"]


@pytest.mark.skipif(not (shutil.which("nginx") and shutil.which("openssl")), reason="nginx or openssl missing")
def test_nginx_accepts_the_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True, timeout=60)
    site = NGINX.replace("/etc/ssl/youhu", str(tmp_path))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n")
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                           "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
