"""The house keeps its shape: arrows point down, every model has a rule, no room hides a second one in a long file.

docs/architecture.md draws the floors; pyproject.toml's [tool.importlinter] holds the contracts checked here.
"""

from pathlib import Path

import pytest
from django.apps import apps
from importlinter.cli import lint_imports

from accounts.scoping import has_rule

ROOT = Path(__file__).resolve().parent.parent
# The portal's own apps, from the ground up (the order of INSTALLED_APPS and of the layers contract).
ROOMS = [
    "core",
    "accounts",
    "audit",
    "mediators",
    "guide",
    "notifications",
    "requests_app",
    "scheduling",
    "sessions_app",
    "faq",
    "training",
    "seminar",
    "timesheets",
    "reporting",
    "privacy",
    "api",
    "mediazione",
]
# Models nobody lists through accounts.scoping: each is read through the row it belongs to (whose rule applies) or
# only by a job. A new model must either register a rule in its app's rules.py or be added here with its reason.
WITHOUT_RULE = {
    "core.pendingtask": "the outbox: read by the sweeper, never by a person",
    "api.idempotentcall": "read only by the API call that sends the same Idempotency-Key again, for its own account",
    "mediators.mediatorlanguage": "read through the mediator",
    "mediators.mediatorcountry": "read through the mediator",
    "mediators.training": "read through the mediator",
    "training.module": "read through its course",
    "training.attendance": "read through its session (the register) or its course (the hours)",
    "mediators.qualification": "read through the mediator",
    "mediators.availabilityslot": "read through the mediator",
    "mediators.absence": "read through the mediator",
    "requests_app.requestlanguage": "read through the request",
    "requests_app.requestcountry": "read through the request",
    "requests_app.proposedslot": "read through the request",
    "requests_app.officelanguage": "the lists' language menus: read for the offices the list's user sees",
    "sessions_app.mediatorrating": "the offices' scores added up: read inside the ranking of a request's candidates "
    "(scheduling.matching), which reads only the mediators the user sees",
    "requests_app.statuschange": "the request's history: read through the request",
    "requests_app.comment": "the request's thread: read through the request (requests_app.selectors.can_comment)",
    "mediators.qualificationexpirynotice": "written and read by the expiry reminder job only",
    "timesheets.reminder": "written and read by the reminder jobs only",
    "reporting.projectpartner": "read through the project",
    "reporting.projectexpense": "read through the project",
    "privacy.anonymisation": "a mark read by the retention job",
    "privacy.mediatorerasure": "a mark read through the mediator",
    "guide.guidelanguage": "reference data of the public guide: everyone reads it",
    "guide.taxonomyterm": "reference data of the public guide (its categories): everyone reads it",
    "guide.organization": "read through the entry (guide.ServiceAtLocation)",
    "guide.service": "read through the entry (guide.ServiceAtLocation)",
    "guide.location": "read through the entry (guide.ServiceAtLocation)",
    "guide.phone": "read through the entry",
    "guide.schedule": "read through the entry",
    "guide.servicelanguage": "read through the entry",
    "guide.entrychange": "the entry's history: read through the entry",
    "guide.guidetext": "the public introduction of a province's guide",
    "faq.category": "reference data of the FAQ: every operator reads it",
    "faq.tag": "reference data of the FAQ: read through the published questions",
    "guide.translation": "read through its object or its task; the public reads approved ones of published texts",
    "guide.pageview": "counters of the public guide's views, nobody's: read by a province's report, scoped there",
}
# Files longer than ~500 lines, each one coherent thing.
LONG_FILES = {
    "mediators/importing.py": "the roster import: reading CSV and Excel files, checking every row, the preview",
    "scheduling/demo.py": "the demo world of requests at every step of their life, with offers and appointments",
    "reporting/services.py": "report jobs: asked, run, retried, swept, expired, and the quarterly ones",
    "reporting/indicators.py": "the accountability indicators, one function each",
    "guide/datapackage.py": "the guide as an HSDS datapackage: writing the tables, reading and checking every row",
    "guide/models.py": "the guide's tables: the HSDS directory, translations and their tasks, the booklet's editions",
    "mediazione/settings.py": "the one settings module, each setting read from the environment and explained",
    "timesheets/costs.py": "what a session costs, by the same rules in the database and in Python, side by side",
}


def test_no_app_imports_from_an_app_above_it_and_no_service_imports_a_task():
    # lint-imports reads the imports of every module and checks pyproject.toml's contracts; 0 means all kept.
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_the_contract_lists_every_app_of_the_portal_in_the_order_of_installed_apps():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    installed = [app.name for app in apps.get_app_configs() if (ROOT / app.name).is_dir()]
    assert installed == ROOMS
    assert sorted(config["root_packages"]) == sorted(ROOMS)
    assert list(reversed(layers)) == ROOMS


@pytest.mark.parametrize("model", [m for room in ROOMS for m in apps.get_app_config(room).get_models()], ids=str)
def test_every_model_has_a_visibility_rule_or_a_reason_not_to(model):
    label = model._meta.label_lower
    if label in WITHOUT_RULE:
        assert not has_rule(model), f"{label} has a rule now: take it off WITHOUT_RULE"
    else:
        assert has_rule(model), f"{label} has no rule: add one to {model._meta.app_label}/rules.py (fail-closed)"


def test_no_file_of_the_portal_grows_past_500_lines_unless_it_is_one_thing():
    long = {
        str(path.relative_to(ROOT))
        for room in ROOMS
        for path in (ROOT / room).rglob("*.py")
        if "migrations" not in path.parts and len(path.read_text().splitlines()) > 500
    }
    assert long <= set(LONG_FILES), "split it, or say in LONG_FILES why it is one thing"


def test_the_models_said_to_need_no_rule_all_exist():
    labels = {m._meta.label_lower for room in ROOMS for m in apps.get_app_config(room).get_models()}
    assert set(WITHOUT_RULE) <= labels
