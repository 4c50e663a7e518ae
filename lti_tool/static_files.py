"""/static serves what the pages load: the tool's own js/ and css/, and from static/node_modules only the files
listed here. Everything else under static/ (every other file of every npm package, package.json, the lock file)
is a 404."""

import posixpath
from pathlib import Path

from flask import send_from_directory
from werkzeug.exceptions import NotFound

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
OWN = ("js/", "css/")
FROM_NODE_MODULES = frozenset({
    # static/js/camera/face-worker.js: the library, and the model files of the one detector it turns on.
    "node_modules/@vladmandic/human/dist/human.esm.js",
    "node_modules/@vladmandic/human/models/blazeface.json",
    "node_modules/@vladmandic/human/models/blazeface.bin",
    # static/js/camera/agora-sdk.js, in Agora mode.
    "node_modules/agora-rtc-sdk-ng/AgoraRTC_N-production.js",
})


def served(filename):
    """Whether /static/<filename> is a file the pages load (once any ./ and ../ are resolved)."""
    path = posixpath.normpath(filename)
    return path.startswith(OWN) or path in FROM_NODE_MODULES


def init_app(app):
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=static)


def static(filename):
    if not served(filename):
        raise NotFound()
    return send_from_directory(STATIC_DIR, posixpath.normpath(filename))
