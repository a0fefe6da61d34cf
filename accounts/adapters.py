import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people join through an invitation from their coordinator or province."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """The client's address for the rate limits. A request whose X-Forwarded-For has fewer entries than
        TRUSTED_PROXY_COUNT did not pass through every proxy configured (a misconfiguration, or a request reaching
        the server another way): allauth raises, which would refuse the login page with a 500. Count it against
        the address it came from instead, and say so in the log."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            logger.warning(
                "X-Forwarded-For has fewer entries than TRUSTED_PROXY_COUNT: rate limits count this request "
                "against REMOTE_ADDR %s",
                request.META.get("REMOTE_ADDR"),
            )
            return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104  an address to count, not to bind
