"""The GitHub Pages workflow: valid against GitHub's schema, clean under zizmor, and doing what the README says."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from memoria.linkcheck import check_site
from tests.conftest import REPO, copy_example

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"
SEVERE = {"medium", "high"}


def tool(name: str) -> str:
    """The path of a command installed by requirements-dev.txt; fail (never skip) when it is missing."""
    found = shutil.which(name) or shutil.which(name, path=sysconfig.get_path("scripts"))
    if found is None:
        pytest.fail(f"missing {name}: run `bash tests/setup.sh` to install it", pytrace=False)
    return found


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps_of(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A job's steps by the action they use (without its version) or, for a script, by name."""
    return {step["uses"].split("@")[0] if "uses" in step else step["name"]: step for step in job["steps"]}


def test_the_workflow_matches_githubs_schema() -> None:
    proc = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing_of_medium_severity_or_above() -> None:
    proc = subprocess.run(
        [tool("zizmor"), "--offline", "--config", str(REPO / "zizmor.yml"), "--format", "json", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip(), proc.stderr
    findings = json.loads(proc.stdout)
    severe = [
        f"{finding['ident']} ({finding['determinations']['severity']}): {finding['desc']}"
        for finding in findings
        if finding["determinations"]["severity"].lower() in SEVERE
    ]
    assert severe == []


def test_zizmor_reports_a_known_problem(tmp_path: Path) -> None:
    """The audit really runs: a workflow that puts a template into a shell script is flagged."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: [pull_request_target]\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", str(bad)], capture_output=True, text=True, timeout=120
    )
    findings = {finding["ident"]: finding["determinations"]["severity"].lower() for finding in json.loads(proc.stdout)}
    assert findings.get("template-injection") in SEVERE


def test_it_runs_on_push_to_main_and_by_hand_with_minimal_permissions(workflow: dict[Any, Any]) -> None:
    triggers = workflow[True]  # YAML 1.1 reads the key 'on' as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"] == "pages"
    assert "permissions" not in workflow["jobs"]["build"]
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_it_builds_with_the_pages_url_and_deploys_with_githubs_actions(workflow: dict[Any, Any]) -> None:
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    steps = steps_of(build)
    assert steps["actions/checkout"]["with"]["persist-credentials"] is False
    python = steps["actions/setup-python"]["with"]
    assert (python["python-version"], python["cache"], python["cache-dependency-path"]) == (
        "3.11",
        "pip",
        "requirements.txt",
    )
    assert steps["actions/configure-pages"]["id"] == "pages"
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "output"
    order = [step.get("uses", step.get("name", "")).split("@")[0] for step in build["steps"]]
    assert order.index("actions/configure-pages") < order.index("Build") < order.index("actions/upload-pages-artifact")
    build_step = steps["Build"]
    assert build_step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert "--strict" in build_step["run"]
    for step in build["steps"]:  # templates reach scripts only through the environment
        assert "${{" not in step.get("run", "")
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]


@pytest.mark.parametrize(
    ("pages_url", "base_path"),
    [
        ("https://user.github.io/archive-repo", "/archive-repo/"),  # a project site
        ("https://archive.example.org", "/"),  # a custom domain
        ("https://user.github.io/archive-repo/", "/archive-repo/"),
    ],
)
def test_the_build_step_makes_a_working_site_for_any_pages_url(
    workflow: dict[Any, Any], tmp_path: Path, pages_url: str, base_path: str
) -> None:
    """Run the workflow's own build script, as Actions would, on a copy of the example archive."""
    project = copy_example(tmp_path / "repo")
    shutil.copy(REPO / "build.py", project)
    shutil.copytree(REPO / "memoria", project / "memoria", ignore=shutil.ignore_patterns("__pycache__"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    script = steps_of(workflow["jobs"]["build"])["Build"]["run"]
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "BASE_URL": pages_url, "CI": "true"}
    proc = subprocess.run(
        ["bash", "-e", "-c", script], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    output = project / "output"
    home = (output / "index.html").read_text(encoding="utf-8")
    assert f'href="{base_path}assets/css/memoria.css"' in home
    assert f'<link rel="canonical" href="{pages_url.rstrip("/")}/">' in home
    assert (output / ".nojekyll").is_file()
    assert check_site(output, base_path) == []
