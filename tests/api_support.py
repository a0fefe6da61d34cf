"""Calling the API as a system does: a token in the Authorization header, JSON in and out."""

from __future__ import annotations

import json

from django.test import Client

from accounts.models import Role
from accounts.scoping import actor_for
from api import services

from . import factories as f


def token_for(*, role: str, maker=None, name: str = "Cartella sociale", days: int = 365, **organisation):
    """A token made by an administrator (or ``maker``), and its key."""
    maker = maker or f.administrator()
    return services.token_create(actor=actor_for(maker), name=name, role=role, days=days, **organisation)


class ApiClient:
    def __init__(self, key: str | None = None, language: str | None = None):
        self.client = Client()
        self.headers = {}
        if key:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language

    def get(self, path, query=None, **extra):
        return self.client.get(path, query, **self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(path, data=_json(data), content_type="application/json", **self.headers, **extra)

    def patch(self, path, data=None, **extra):
        return self.client.patch(path, data=_json(data), content_type="application/json", **self.headers, **extra)


def _json(data) -> str | bytes:
    return "" if data is None else (data if isinstance(data, (str, bytes)) else json.dumps(data))


ROLES = {
    "office": Role.SOCIAL_WORKER,
    "district": Role.COORDINATOR,
    "province": Role.PROVINCE_STAFF,
    "funder": Role.FUNDER_VIEWER,
    "mediator": Role.MEDIATOR,
}
