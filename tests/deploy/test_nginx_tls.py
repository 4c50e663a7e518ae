"""deploy/nginx/proctor-lti.conf in front of the tool: Debian's nginx with a certificate from a throwaway CA, a
student's exam in Chromium and the proctor's socket through https:// and wss://.

Chromium trusts the server certificate through --ignore-certificate-errors-spki-list with the hash of its key:
that pins just this certificate for this browser, without a CA in an NSS database (certutil) to set up."""

import base64
import datetime
import hashlib
import ipaddress
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import expect

from lti_tool.demo.roster import STUDENTS
from tests.conftest import REQUIRE_SERVICES
from tests.e2e.conftest import launch_chromium, serve
from tests.e2e.demo_lms import launch, tool_frame
from tests.e2e.test_proctored_student import HIDE_TAB
from tests.e2e.test_take_exam import QUESTIONS, make_exam
from tests.servers import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "proctor-lti.conf"
NGINX = "/usr/sbin/nginx"
ADA = STUDENTS[0]  # the demo's student button


def _certificates(directory):
    """A CA and a certificate it signed for localhost and 127.0.0.1; returns (CA file, SPKI hash for Chromium)."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, issuer, public_key, signer, extensions):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signer, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Proctor LTI test CA")])
    ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key,
                     [(x509.BasicConstraints(ca=True, path_length=0), True)])
    key = ec.generate_private_key(ec.SECP256R1())
    server = certificate(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), ca_name, key.public_key(), ca_key,
        [(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
          False), (x509.BasicConstraints(ca=False, path_length=None), True)])
    pem = serialization.Encoding.PEM
    (directory / "fullchain.pem").write_bytes(server.public_bytes(pem) + ca.public_bytes(pem))
    (directory / "privkey.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return directory / "ca.pem", base64.b64encode(hashlib.sha256(spki).digest()).decode()


def _site(directory, https_port, http_port, upstream_port):
    """deploy/nginx/proctor-lti.conf with its CHANGE values set for this machine (IPv4 loopback only)."""
    text = SITE.read_text()
    for old, new in [
        ("server 127.0.0.1:5000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("server_name proctor.example.edu;", "server_name localhost;"),
        ("/etc/ssl/proctor-lti/", f"{directory}/"),
        ("/opt/proctor-lti/static/", f"{ROOT / 'static'}/"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def upstream_port(live):
    """gunicorn's own port (the demo's address)."""
    return int(live["demo"].split(":")[2].split("/")[0])


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory):
    if not os.path.exists(NGINX) or not shutil.which("chromium"):
        if REQUIRE_SERVICES:
            pytest.fail("nginx and Chromium are required (REQUIRE_SERVICES=1): apt-get install nginx chromium")
        pytest.skip("nginx or Chromium is not installed (scripts/test installs them as root)")
    directory = tmp_path_factory.mktemp("nginx")
    ca, spki = _certificates(directory)
    https_port, http_port = free_port(), free_port()
    tool = f"https://localhost:{https_port}"
    servers = serve(tmp_path_factory, TOOL_BASE_URL=tool, PROXY_FIX_HOPS="1")
    live = next(servers)
    # requests (the test maker's API calls) trusts the CA.
    os.environ["REQUESTS_CA_BUNDLE"] = str(ca)
    (directory / "site.conf").write_text(_site(directory, https_port, http_port, upstream_port(live)))
    (directory / "nginx.conf").write_text(
        # Started as root, nginx's workers would run as nobody, who cannot write bodies into this private directory.
        f"daemon off;\n{'user root;' if os.getuid() == 0 else ''}\npid {directory}/nginx.pid;\n"
        f"error_log {directory}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n log_format ids '$request_id $uri';\n"
        f" access_log {directory}/access.log ids;\n"
        + "".join(f" {kind}_temp_path {directory}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                           "uwsgi", "scgi"))
        + f" include {directory}/site.conf;\n}}\n")
    with open(directory / "stderr.log", "w") as stderr:
        nginx = subprocess.Popen([NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")], stderr=stderr)
    try:
        _wait_for(lambda: requests.get(f"{tool}/healthz", timeout=2).ok, nginx, directory)
        yield {**live, "tool": tool, "spki": spki, "http": f"http://localhost:{http_port}",
               "access_log": directory / "access.log"}
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        servers.close()
        del os.environ["REQUESTS_CA_BUNDLE"]


def _wait_for(answered, nginx, directory, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and nginx.poll() is None:
        try:
            if answered():
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    logs = [directory / "stderr.log", directory / "error.log"]
    pytest.fail(f"nginx did not serve: {' '.join(log.read_text() for log in logs if log.exists())}")


def test_the_tool_sees_https_and_nginx_serves_the_static_files(behind_nginx):
    tool = behind_nginx["tool"]
    page = requests.get(f"{tool}/healthz", timeout=5)
    # The tool kept nginx's request id (its access log's first field).
    assert f"{page.headers['X-Request-Id']} /healthz" in behind_nginx["access_log"].read_text().splitlines()
    # The tool's policy names its own socket origin from the scheme and host ProxyFix gave it.
    assert f"wss://localhost:{tool.rsplit(':', 1)[1]}" in page.headers["Content-Security-Policy"]
    static = re.search(r'href="(/static/[0-9a-f]{12}/)css/app.css"', requests.get(f"{tool}/", timeout=5).text)[1]
    script = requests.get(f"{tool}{static}js/session.js", timeout=5)
    assert script.ok and script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert script.headers["Server"].startswith("nginx") and "ETag" in script.headers
    assert script.headers["X-Content-Type-Options"] == "nosniff"
    assert script.content == (ROOT / "static" / "js" / "session.js").read_bytes()
    for hidden in ("package.json", "node_modules/katex/package.json", "js/../package.json"):
        assert requests.get(f"{tool}{static}{hidden}", timeout=5).status_code == 404, hidden
    assert requests.get(f"{tool}/static/js/session.js", timeout=5).status_code == 404
    # Prometheus scrapes past nginx.
    assert requests.get(f"{tool}/metrics", timeout=5).status_code == 404
    assert requests.get(f"http://127.0.0.1:{upstream_port(behind_nginx)}/metrics", timeout=5).status_code == 200
    plain = requests.get(f"{behind_nginx['http']}/proctor/", allow_redirects=False, timeout=5)
    assert plain.status_code == 301 and plain.headers["Location"] == "https://localhost/proctor/"


def test_a_body_over_the_limit_is_refused_by_the_tool_or_by_nginx(behind_nginx):
    # A launch's form is read before anything else is checked.
    launch = f"{behind_nginx['tool']}/lti/launch"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    over_the_tool = requests.post(launch, data=b"x" * (2 * 1024 * 1024 + 1), headers=headers, timeout=10)
    assert over_the_tool.status_code == 413 and "too_large" in over_the_tool.text
    over_nginx = requests.post(launch, data=b"x" * (11 * 1024 * 1024 + 1), headers=headers, timeout=10)
    assert over_nginx.status_code == 413 and "too_large" not in over_nginx.text


def test_an_exam_and_the_proctors_live_room_through_nginx(behind_nginx, playwright):
    browser = launch_chromium(playwright, f"--ignore-certificate-errors-spki-list={behind_nginx['spki']}")
    page = browser.new_context(viewport={"width": 1000, "height": 1100}).new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        title = f"Quiz behind nginx {uuid.uuid4().hex[:8]}"
        maker, exam_id = make_exam(page, behind_nginx, title, QUESTIONS[:2])
        launch(page, behind_nginx, "student", "Student", link=title)
        frame = tool_frame(page)
        frame.get_by_role("button", name="Start the exam").click()
        expect(frame.locator("#proctoring-status")).to_have_text("Proctoring connected", timeout=15000)
        assert page.frame(name="tool-frame").url.startswith(behind_nginx["tool"])
        assert f"{behind_nginx['tool'].replace('https', 'wss', 1)}/ws/student" in sockets, sockets

        room = browser.new_context(viewport={"width": 1000, "height": 900}).new_page()
        room.goto(f"{behind_nginx['tool']}/proctor/?id={exam_id}#token={maker.token}")
        expect(room.locator("#connection")).to_have_text(re.compile("^Live"), timeout=15000)
        assert room.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol") == "h2"
        student = room.locator("#room-table tbody tr").filter(has=room.get_by_role("button", name=ADA.name))
        expect(student.locator('[data-label="Presence"]')).to_have_text("Online", timeout=15000)
        page.frame(name="tool-frame").evaluate(HIDE_TAB)
        expect(student.locator('[data-label="Violations"]')).to_contain_text("1", timeout=15000)
    finally:
        browser.close()
