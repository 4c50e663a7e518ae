"""The README's "Run it in production" follows deploy/: it names every file there, and runs what the units run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_section():
    readme = (ROOT / "README.md").read_text()
    return readme.split("\n## Run it in production\n", 1)[1].split("\n## ", 1)[0]


def test_the_production_section_names_every_file_of_deploy():
    section = production_section()
    files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "deploy").rglob("*") if p.is_file()]
    assert files and [f for f in files if f"`{f}`" not in section] == []


def test_the_production_section_gives_the_flask_commands_the_units_run():
    section = " ".join(production_section().split())
    for unit in (ROOT / "deploy" / "systemd").glob("*.service"):
        command = re.search(r"^ExecStart=/opt/proctor-lti/\.venv/bin/(.+)$", unit.read_text(), re.M).group(1)
        if command.startswith("flask"):
            assert f"`{command}`" in section, unit.name
