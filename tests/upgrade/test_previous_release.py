"""Upgrades: the previous release keeps working on the new schema for one deploy.

A deploy runs the migrations (deploy/systemd/proctor-lti-migrate.service) while the previous release may still
be serving (the other hosts, or this host until its restart), so every migration must leave a schema the previous
release can use. The previous release is the code just before the newest migration arrived on main: the first
parent of the commit that added the head migration's file (HEAD itself while that file is not committed yet). Its
own tests of the exam's core flows (launch, authoring, start, save, finalize, grade passback) run from a
`git archive` of that commit on databases migrated by this release's code (tests/upgrade/newer_schema.py)."""

import ast
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.conftest import MIGRATIONS, REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = Path(MIGRATIONS) / "versions"
# The previous release's tests that make up the core flows, run as they are in its tree.
CORE_FLOWS = ["tests/exam/test_attempts.py", "tests/exam/test_grade_flow.py"]


def git(*args):
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


def _alembic_config():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return config


def head_migration_file():
    script = ScriptDirectory.from_config(_alembic_config())
    return Path(script.get_revision(script.get_current_head()).path)


def previous_release():
    """The commit of the previous release, or fail (under REQUIRE_SERVICES) or skip when history is missing."""
    problem = None
    if git("rev-parse", "--is-inside-work-tree").returncode != 0:
        problem = "not a git checkout"
    elif git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        problem = "a shallow clone: the previous release's commit may be missing (fetch with --unshallow)"
    if problem is None:
        path = head_migration_file().relative_to(ROOT)
        # Along the first parents (main's own history): a migration that came in with a merge was added by the
        # merge commit, whose first parent is main before it.
        added = git("log", "--first-parent", "--diff-filter=A", "--format=%H", "-1", "--", str(path)).stdout.strip()
        commit = f"{added}^" if added else "HEAD"
        resolved = git("rev-parse", "--verify", f"{commit}^{{commit}}")
        if resolved.returncode == 0:
            return resolved.stdout.strip()
        problem = f"the previous release ({commit}) is not in this clone's history"
    if REQUIRE_SERVICES:
        pytest.fail(f"the upgrade test needs the git history: {problem}")
    pytest.skip(problem)


def test_the_previous_release_runs_its_core_flows_on_the_new_schema(tmp_path, postgres_url):
    commit = previous_release()
    old_tree = tmp_path / "previous"
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True,
                             check=True, timeout=60).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(old_tree, filter="data")
    plugin_dir = tmp_path / "plugin"
    plugin_dir.mkdir()
    (plugin_dir / "newer_schema.py").write_text((Path(__file__).parent / "newer_schema.py").read_text())
    log = tmp_path / "newer_schema.log"
    env = {**os.environ, "PYTHONPATH": f"{old_tree}{os.pathsep}{plugin_dir}", "NEWER_TREE": str(ROOT),
           "NEWER_SCHEMA_LOG": str(log), "REQUIRE_SERVICES": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *CORE_FLOWS, "-q", "-x", "-p", "no:cacheprovider", "-p", "newer_schema"],
        cwd=old_tree, env=env, capture_output=True, text=True, timeout=600)
    report = f"previous release {commit[:10]}:\n{run.stdout[-4000:]}{run.stderr[-2000:]}"
    assert run.returncode == 0, report
    assert sorted(log.read_text().split()) == ["postgresql", "sqlite"], report


# A migration may not, in one deploy, take away what the previous release reads or make its writes fail.
# Dropping or renaming comes one release later, once no running code reads the thing: list such a migration
# here with what it removes and the release that stopped reading it.
CONTRACTING = {
    # Written before this rule, each with its code in the same release: proctors by user instead of email,
    # signing keys encrypted instead of in clear, review options instead of show_results_after_close.
    "0010_proctors_by_user.py", "0011_encrypted_tool_keys.py", "0020_review_options.py",
}
REMOVING = {"drop_column", "drop_table", "rename_table", "drop_constraint", "drop_index"}


def contracting_ops(source):
    """What upgrade() does that the previous release may not survive: removals, renames, columns made
    required, and required new columns without a server default (the previous release's inserts omit them)."""
    tree = ast.parse(source)
    upgrade = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade")
    # A new table's columns: the previous release never writes them.
    new_tables = {id(n) for call in ast.walk(upgrade)
                  if getattr(getattr(call, "func", None), "attr", "") == "create_table" for n in ast.walk(call)}
    found = []
    for call in (n for n in ast.walk(upgrade) if isinstance(n, ast.Call) and id(n) not in new_tables):
        name = getattr(call.func, "attr", getattr(call.func, "id", ""))
        keywords = {k.arg: k.value for k in call.keywords}
        if name in REMOVING:
            found.append(name)
        elif name == "alter_column" and ("new_column_name" in keywords or _is_false(keywords.get("nullable"))):
            found.append("alter_column")
        elif name == "Column" and _is_false(keywords.get("nullable")) and "server_default" not in keywords:
            found.append("required column without server_default")
    return found


def _is_false(node):
    return isinstance(node, ast.Constant) and node.value is False


@pytest.mark.parametrize("path", sorted(p for p in VERSIONS.glob("*.py") if p.name not in CONTRACTING),
                         ids=lambda p: p.name)
def test_each_migration_leaves_what_the_previous_release_reads(path):
    assert contracting_ops(path.read_text()) == []


def test_the_check_finds_what_breaks_the_previous_release():
    def upgrade(body):
        return contracting_ops(f"def upgrade():\n    {body}\n")

    assert upgrade('op.drop_column("exams", "title")') == ["drop_column"]
    assert upgrade('op.alter_column("exams", "title", new_column_name="name")') == ["alter_column"]
    assert upgrade('op.alter_column("exams", "notes", nullable=False)') == ["alter_column"]
    assert upgrade('batch.add_column(sa.Column("x", sa.Integer(), nullable=False))') == [
        "required column without server_default"]
    assert upgrade('batch.add_column(sa.Column("x", sa.Integer(), nullable=False, server_default="0"))') == []
    assert upgrade('op.create_table("t", sa.Column("id", sa.Integer(), nullable=False))') == []
