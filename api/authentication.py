"""Who calls: a system with its token (``Authorization: Bearer mdz_…``), or a person logged into the portal using
the browsable documentation (their session, with the CSRF check DRF makes for sessions)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import services


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be: Bearer followed by the key."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This key is not valid, expired or revoked.")) from None
        token = services.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This key is not valid, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token made by province staff or an administrator (mdz_…), shown once.",
        }
