"""Domain errors: what a service refuses, in words a person understands (translatable)."""

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A rule of the domain was not met. ``message`` is shown to the user as it is."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


class NotAllowed(DomainError):
    """The actor's role or scope does not allow this action."""


def send_back_reason(reason: str | None) -> str:
    """The reason a coordinator gives when sending work back to a mediator (a report, a timesheet): required, at most
    1,000 characters, stripped."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say what the mediator should correct."), field="reason")
    if len(reason) > 1000:
        raise DomainError(_("The reason is too long: at most 1,000 characters."), field="reason")
    return reason
