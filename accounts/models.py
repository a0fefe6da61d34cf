"""Users, organisations and memberships: who works where, in which role.

Organisations are data: a province has districts (*ambiti distrettuali*), a district has offices; mediators work
for providers (cooperatives); funders (ASL/ATS) fund provinces. A :class:`Membership` gives a user one role in one
scope; a user may hold several and switches between them in the header.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


# The accounts other systems act as through the API (api/models.py): nobody logs into them, and mail to them would
# go nowhere (RFC 2606 keeps .invalid for addresses that can never exist).
SYSTEM_EMAIL_DOMAIN = "api.invalid"


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address and a password (or, rarely, a system acting through the API)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="it",
        help_text=_("The language of the portal and of the e-mails sent to this person."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined on"), default=timezone.now)
    active_membership = models.ForeignKey(
        "Membership",
        verbose_name=_("current role"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_system(self) -> bool:
        """An account a system acts as through the API (an API token's), not a person."""
        return self.email.endswith("@" + SYSTEM_EMAIL_DOMAIN)


class Province(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), unique=True, help_text=_("Used in addresses and commands: cremona."))

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name"]

    def __str__(self):
        return self.name


class District(models.Model):
    """An *ambito distrettuale*: the municipalities of a district, run by a managing body."""

    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="districts"
    )
    name = models.CharField(_("name"), max_length=120)
    managing_body = models.CharField(
        _("managing body"), max_length=200, blank=True, help_text=_("e.g. Azienda Sociale del Cremonese")
    )

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["province__name", "name"]
        constraints = [models.UniqueConstraint(fields=["province", "name"], name="district_unique_name_in_province")]

    def __str__(self):
        return self.name


class Office(models.Model):
    class Kind(models.TextChoices):
        BASIC_SOCIAL_SERVICE = "basic_social_service", _("Basic social service")
        CHILD_PROTECTION = "child_protection", _("Child protection (Tutela Minori)")
        FAMILY_COUNSELLING = "family_counselling", _("Family counselling centre")
        SCHOOL = "school", _("School")
        HEALTH = "health", _("Health service")
        OTHER = "other", _("Other service")

    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="offices")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["district__name", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="office_unique_name_in_district")]

    def __str__(self):
        return self.name


class Provider(models.Model):
    """A mediator provider, usually a social cooperative."""

    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="providers"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("mediator provider")
        verbose_name_plural = _("mediator providers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["province", "name"], name="provider_unique_name_in_province")]

    def __str__(self):
        return self.name


class Funder(models.Model):
    """A health authority (ASL, since 2016 in Lombardy ATS) that funds projects in some provinces."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    provinces = models.ManyToManyField(Province, verbose_name=_("provinces funded"), related_name="funders")

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    COORDINATOR = "coordinator", _("Coordinator")
    MEDIATOR = "mediator", _("Mediator")
    PROVINCE_STAFF = "province_staff", _("Province staff")
    FUNDER_VIEWER = "funder_viewer", _("Funder viewer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Which scope field each role needs. Anything else must be empty (checked by the constraint below).
ROLE_SCOPE_FIELD = {
    Role.SOCIAL_WORKER: "office",
    Role.COORDINATOR: "district",
    Role.MEDIATOR: "provider",
    Role.PROVINCE_STAFF: "province",
    Role.FUNDER_VIEWER: "funder",
    Role.ADMINISTRATOR: None,
}
SCOPE_FIELDS = ("office", "district", "provider", "province", "funder")


def _scope_condition(role: str) -> Q:
    needed = ROLE_SCOPE_FIELD[role]
    condition = Q(role=role)
    for field in SCOPE_FIELDS:
        condition &= Q(**{f"{field}__isnull": field != needed})
    return condition


class ScopeFields(models.Model):
    """The role and scope shared by a membership and the invitation that creates it."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.PROTECT, null=True, blank=True)
    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True)
    provider = models.ForeignKey(
        Provider, verbose_name=_("mediator provider"), on_delete=models.PROTECT, null=True, blank=True
    )
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True)
    funder = models.ForeignKey(Funder, verbose_name=_("funder"), on_delete=models.PROTECT, null=True, blank=True)
    districts = models.ManyToManyField(
        District,
        verbose_name=_("districts served"),
        blank=True,
        related_name="+",
        help_text=_("Mediators only: the districts they work in."),
    )

    class Meta:
        abstract = True

    @property
    def scope(self):
        """The organisation this role is exercised in (None for administrators)."""
        field = ROLE_SCOPE_FIELD[Role(self.role)]
        return getattr(self, field) if field else None

    def scope_label(self) -> str:
        scope = self.scope
        return str(scope) if scope is not None else str(_("whole portal"))


class Membership(ScopeFields):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(Role.SOCIAL_WORKER)
                | _scope_condition(Role.COORDINATOR)
                | _scope_condition(Role.MEDIATOR)
                | _scope_condition(Role.PROVINCE_STAFF)
                | _scope_condition(Role.FUNDER_VIEWER)
                | _scope_condition(Role.ADMINISTRATOR),
                name="membership_scope_matches_role",
                violation_error_message=_("This role needs exactly its own kind of organisation."),
            ),
        ]
        # Issue #17, at a region's scale (10,000 mediators' memberships): the people a province manages through its
        # providers are read from this index alone (a fifth of the table, never a Seq Scan of it), and the number of
        # people with an active role (the administrator's home) from the partial one.
        indexes = [
            models.Index(fields=["provider", "id"], name="membership_provider_idx"),
            models.Index(fields=["user"], condition=Q(is_active=True), name="membership_active_user_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.scope_label()}"


class Invitation(ScopeFields):
    """An e-mail inviting a person to set a password and take a role. Accepting it creates the membership."""

    email = models.EmailField(_("e-mail address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="it")
    key = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=_scope_condition(Role.SOCIAL_WORKER)
                | _scope_condition(Role.COORDINATOR)
                | _scope_condition(Role.MEDIATOR)
                | _scope_condition(Role.PROVINCE_STAFF)
                | _scope_condition(Role.FUNDER_VIEWER)
                | _scope_condition(Role.ADMINISTRATOR),
                name="invitation_scope_matches_role",
            ),
        ]

    def __str__(self):
        return f"{self.email} · {self.get_role_display()}"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label
