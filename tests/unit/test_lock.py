"""requirements.lock, which `make setup` installs from, holds what the pyprojects ask for: every pinned direct
dependency of the project (and of each extra) at its pinned version, every dependency of the client within
its range. A dependency added or bumped in a pyproject without rewriting the lock fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from shared.core.settings import ROOT

REGENERATE = (
    "rewrite the lock with `make lock` (uv pip compile pyproject.toml clients/python/pyproject.toml --all-extras "
    "--universal --python-version 3.11 --generate-hashes -o requirements.lock)"
)
_LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def locked() -> dict[str, set[str]]:
    versions: dict[str, set[str]] = {}
    for name, version in _LOCKED.findall((ROOT / "requirements.lock").read_text()):
        versions.setdefault(canonicalize_name(name), set()).add(version)
    return versions


def requirements(pyproject: Path) -> list[Requirement]:
    project = tomllib.loads(pyproject.read_text())["project"]
    extras = project.get("optional-dependencies", {}).values()
    return [Requirement(text) for text in [*project["dependencies"], *(r for extra in extras for r in extra)]]


def test_every_pin_of_the_project_is_locked_at_its_version():
    lock = locked()
    wrong = {}
    for requirement in requirements(ROOT / "pyproject.toml"):
        (pin,) = requirement.specifier  # the project pins every direct dependency: one `==` each
        assert pin.operator == "==", f"{requirement}: pin it (==) in pyproject.toml"
        name = canonicalize_name(requirement.name)
        if pin.version not in lock.get(name, set()):
            wrong[name] = (pin.version, sorted(lock.get(name, set())) or "missing")
    assert wrong == {}, f"pyproject.toml and requirements.lock disagree: {wrong}; {REGENERATE}"


def test_every_dependency_of_the_client_is_locked_within_its_range():
    lock = locked()
    outside = {}
    for requirement in requirements(ROOT / "clients" / "python" / "pyproject.toml"):
        name = canonicalize_name(requirement.name)
        if not any(requirement.specifier.contains(version) for version in lock.get(name, set())):
            outside[name] = (str(requirement.specifier), sorted(lock.get(name, set())) or "missing")
    assert outside == {}, f"clients/python/pyproject.toml and requirements.lock disagree: {outside}; {REGENERATE}"
