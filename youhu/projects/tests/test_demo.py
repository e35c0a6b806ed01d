"""The demo's own Excel file, loaded by `youhu demo load` through the user's import, twice."""

import pytest

from youhu.demo.loader import load_demo
from youhu.demo.simulate import SCENARIOS
from youhu.projects import lights, selectors
from youhu.projects.demo import DEMO_FILE
from youhu.projects.importer import import_projects
from youhu.projects.models import Escalation, Node, Problem, ProgressReport, Project, ProjectEvent
from youhu.testing.factories import at

pytestmark = pytest.mark.django_db
EXTRAS = ["youhu.enterprise.demo:load", "youhu.projects.demo:load"]
NOW = at("2026-12-04 10:00")  # the date the file was built around (python -m youhu.projects.demo.build)


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Project, Node, ProgressReport, Problem, Escalation, ProjectEvent)}


def test_the_demo_file_loads_and_importing_it_again_changes_nothing():
    summary = load_demo(len(SCENARIOS), now=NOW, extras=EXTRAS)
    assert "youhu.projects.demo:load" in summary.extras
    first = counts()
    assert 30 <= first["Project"] <= 40 and first["Node"] >= 8 * 30 and first["Problem"] == 4
    rows = selectors.rows(Project.objects.all(), NOW)
    by_light = {light: sum(r.light == light for r in rows) for light in (lights.RED, lights.YELLOW, lights.GREEN)}
    assert 3 <= by_light[lights.RED] <= 8 and by_light[lights.YELLOW] >= 3, by_light
    assert by_light[lights.GREEN] > by_light[lights.RED] + by_light[lights.YELLOW]
    assert Project.objects.filter(company__isnull=False, cso__isnull=False).count() >= 8
    again = import_projects(DEMO_FILE, now=NOW)
    assert again.errors == [] and again.projects["created"] == again.projects["updated"] == 0
    load_demo(len(SCENARIOS), now=NOW, extras=EXTRAS)
    assert counts() == first
