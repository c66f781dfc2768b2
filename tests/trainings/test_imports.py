"""The arrows inside trainings go one way: models reach querysets and matching, not back."""

import ast
from pathlib import Path

import pytest

import trainings

LOWER = ["querysets.py", "matching.py", "localised.py", "signals.py"]
UPPER = {"trainings.models", "trainings.search", "trainings.admin", "trainings.services"}


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reaches_upper(name: str) -> bool:
    """One of UPPER or a module inside it (trainings.models is a package)."""
    return any(name == upper or name.startswith(f"{upper}.") for upper in UPPER)


def test_a_module_inside_the_models_package_counts_as_models():
    assert reaches_upper("trainings.models.sessions")
    assert not reaches_upper("trainings.modelsx")


@pytest.mark.parametrize("module", LOWER)
def test_lower_trainings_modules_do_not_import_models_or_search(module):
    path = Path(trainings.__file__).parent / module
    assert {name for name in imported_modules(path) if reaches_upper(name)} == set()
