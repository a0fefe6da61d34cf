import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_and_the_broker(settings):
    response = Client().get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body["broker"] == expected_broker
    assert body["status"] == "ok"


def test_health_answers_503_when_the_broker_is_down(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
