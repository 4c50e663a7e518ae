"""/static serves what the pages load: the tool's own js/ and css/, and from static/node_modules only the files
listed here. Everything else under static/ (every other file of every npm package, package.json, the lock file)
is a 404.

Every URL carries the fingerprint of everything served (`/static/<fingerprint>/js/session.js`), so a browser keeps
a file for a year and a deploy that changes any file changes every URL. The pages' modules name each other by
relative URL, so one fingerprint for the whole tree (rather than one per file) keeps their imports right without a
build step. A request with another fingerprint (a page rendered before a deploy, or by a worker of the other
release during one) gets today's file, revalidated rather than kept."""

import hashlib
import posixpath
from pathlib import Path

from flask import current_app, send_from_directory
from werkzeug.exceptions import NotFound

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
OWN = ("js/", "css/", "i18n/")
FROM_NODE_MODULES = frozenset({
    # static/js/camera/face-worker.js: the library, and the model files of the one detector it turns on.
    "node_modules/@vladmandic/human/dist/human.esm.js",
    "node_modules/@vladmandic/human/models/blazeface.json",
    "node_modules/@vladmandic/human/models/blazeface.bin",
    # static/js/camera/agora-sdk.js, in Agora mode.
    "node_modules/agora-rtc-sdk-ng/AgoraRTC_N-production.js",
})
FINGERPRINT_LENGTH = 12
KEEP = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def served(filename):
    """Whether /static/<fingerprint>/<filename> is a file the pages load (once any ./ and ../ are resolved)."""
    path = posixpath.normpath(filename)
    return path.startswith(OWN) or path in FROM_NODE_MODULES


def fingerprint(static_dir=STATIC_DIR):
    """A digest of the names and bytes of every file served from `static_dir`."""
    digest = hashlib.sha256()
    own = (path for top in OWN for path in sorted((static_dir / top).rglob("*")) if path.is_file())
    libraries = (static_dir / name for name in sorted(FROM_NODE_MODULES) if (static_dir / name).is_file())
    for path in (*own, *libraries):
        digest.update(path.relative_to(static_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def init_app(app):
    app.config["STATIC_FINGERPRINT"] = fingerprint()
    app.add_url_rule(f"/static/<string(length={FINGERPRINT_LENGTH}):version>/<path:filename>",
                     endpoint="static", view_func=static)
    app.url_defaults(_current_fingerprint)


def _current_fingerprint(endpoint, values):
    if endpoint == "static":
        values.setdefault("version", current_app.config["STATIC_FINGERPRINT"])


def static(version, filename):
    if not served(filename):
        raise NotFound()
    response = send_from_directory(STATIC_DIR, posixpath.normpath(filename))
    current = version == current_app.config["STATIC_FINGERPRINT"]
    response.headers["Cache-Control"] = KEEP if current else REVALIDATE
    return response
