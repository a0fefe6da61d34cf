"""Domain errors: what a service refuses, in words a person understands (translatable)."""


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
