"""Data flows one way (CONVENTIONS "Where code lives"): nothing in trainings/ or enrolments/
imports catalogue/, which listens to their signals and wires their URLs instead."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def catalogue_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) for each import of catalogue or a module in it, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [
            (node.lineno, name)
            for name in names
            if name == "catalogue" or name.startswith("catalogue.")
        ]
    return found


def sources() -> list[Path]:
    # Migrations are history: one may use a project operation (catalogue.migration_operations).
    return [
        path
        for app in ("trainings", "enrolments")
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_the_walk_covers_the_apps_sources():
    names = {path.relative_to(ROOT).as_posix() for path in sources()}
    assert {"trainings/models/sessions.py", "enrolments/places/services.py"} <= names
    assert not any("migrations" in name for name in names)


def test_every_form_of_import_of_catalogue_is_seen():
    source = (
        "import catalogue\n"
        "import catalogue.http.cache as c\n"
        "from catalogue import http\n"
        "import catalogues\n"
        "from .catalogue import x\n"
        "def f():\n"
        "    from catalogue.urls import urlpatterns\n"
    )
    assert catalogue_imports(source) == [
        (1, "catalogue"),
        (2, "catalogue.http.cache"),
        (3, "catalogue"),
        (7, "catalogue.urls"),
    ]


def test_trainings_and_enrolments_never_import_catalogue():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sources()
        for line, module in catalogue_imports(path.read_text())
    ]
    assert found == []
