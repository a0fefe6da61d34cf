"""The two commands work on a fresh machine: the lock file pins every package with its hash, the Makefile takes only
Python 3.11, every apt-get waits for another install's dpkg lock, and the server's log is not buried by PDF chatter."""

import logging
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def locked(path: str) -> dict[str, str]:
    """name → version of every pin of a compiled lock file, after checking that each pin carries a hash."""
    pins: dict[str, str] = {}
    text = (PROJECT / path).read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block)
        if not match:
            continue
        assert "--hash=sha256:" in block, f"{path}: {match.group(1)} is pinned without a hash"
        pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def test_every_direct_dependency_is_in_the_lock_file_at_its_pinned_version():
    runtime = locked("requirements.txt")
    for line in (PROJECT / "requirements.in").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement = Requirement(line)
        assert runtime[canonicalize_name(requirement.name)] in requirement.specifier, line


def test_pip_itself_is_pinned_with_its_hash_and_installed_before_the_lock_files():
    assert set(locked("requirements-pip.txt")) == {"pip"}
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert -1 < makefile.index("-r requirements-pip.txt") < makefile.index("-r requirements-dev.txt")
    assert -1 < dockerfile.index("-r requirements-pip.txt") < dockerfile.index("-r requirements.txt")
    assert locked("requirements-pip.txt")["pip"] == locked("requirements-dev.txt")["pip"] == metadata.version("pip")


def test_redis_which_the_cache_imports_is_pinned_directly():
    text = (PROJECT / "requirements.in").read_text(encoding="utf-8")
    assert re.search(r"^redis==", text, re.MULTILINE)


def test_the_dev_lock_holds_the_whole_runtime_lock_at_the_same_versions():
    runtime, dev = locked("requirements.txt"), locked("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_what_is_installed_is_what_the_lock_file_says_and_nothing_it_needs_is_missing():
    dev = locked("requirements-dev.txt")
    for name, version in dev.items():
        try:
            installed = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a package for another platform or Python (colorama on Windows, brotlicffi on PyPy)
        assert installed.version == version, f"{name} {installed.version} is installed, the lock says {version}"
        for spec in installed.requires or []:
            requirement = Requirement(spec)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            assert canonicalize_name(requirement.name) in dev, f"{name} needs {requirement.name}, not in the lock"


@pytest.fixture
def makefile_copy(tmp_path):
    for name in ("Makefile", "requirements-pip.txt", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(PROJECT / name, tmp_path / name)
    return tmp_path


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_make_refuses_a_python_other_than_3_11_with_a_clear_message(makefile_copy):
    fake = makefile_copy / "python3.12"
    fake.write_text("#!/bin/sh\necho 3.12\n", encoding="utf-8")
    fake.chmod(0o755)
    result = subprocess.run(
        ["make", "-s", "venv", f"PYTHON={fake}"], cwd=makefile_copy, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Python 3.11 is needed" in result.stdout + result.stderr
    assert "3.12" in result.stdout + result.stderr
    assert not (makefile_copy / ".venv").exists()


def test_every_apt_get_waits_for_the_dpkg_lock():
    for path in ("Makefile", ".ci/run"):
        for line in (PROJECT / path).read_text(encoding="utf-8").splitlines():
            runs_apt_get = re.search(r"\bapt-get\b(?!\s*>)", line) and "command -v apt-get" not in line
            if runs_apt_get and not line.lstrip().startswith("#") and "echo" not in line:
                assert "DPkg::Lock::Timeout" in line, f"{path}: {line.strip()}"


def test_make_demo_installs_or_names_what_the_pdf_reports_need():
    makefile = (PROJECT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo: demo-deps ", makefile, re.MULTILINE)
    demo_packages = re.search(r"^DEMO_PACKAGES := (.*)$", makefile, re.MULTILINE).group(1).split()
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"} <= set(demo_packages)


@pytest.mark.parametrize("logger", ["weasyprint", "weasyprint.progress", "fontTools.subset", "fontTools.ttLib"])
def test_pdf_libraries_log_only_their_warnings(logger):
    assert logging.getLogger(logger).getEffectiveLevel() == logging.WARNING
