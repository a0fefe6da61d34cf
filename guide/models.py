"""The multilingual mini-guide: a directory of services for families, in the shape of Open Referral HSDS 3.

HSDS names are kept where they fit (organization, service, location, service_at_location, phone, schedule,
language, taxonomy_term; ``name``, ``alternate_name``, ``description``, ``email``, ``url``, ``status``,
``fees_description``, ``eligibility_description``, ``assured_date``, ``last_modified``…) so that the directory can be
exchanged (guide/datapackage.py). The unit of work is the *entry*: a service at a location
(:class:`ServiceAtLocation`), mapped by a district (or by the province for the whole province), reviewed and
published by the province. The public reads only the entry's published snapshot, so editing a published entry
changes nothing public until it is published again.

Translations live in one plain table (:class:`Translation`), not in extra columns: see the README, "Mini-guida
multilingue", for why.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mediators.models import validate_language_code


def source_hash(text: str) -> str:
    """The fingerprint of an Italian source text: a translation remembers the one it was made from."""
    return hashlib.sha256((text or "").strip().encode()).hexdigest()[:16]


class Direction(models.TextChoices):
    LTR = "ltr", _("left to right")
    RTL = "rtl", _("right to left")


class GuideLanguage(models.Model):
    """A language the guide is published in (data: the province adds one without a deploy)."""

    code = models.CharField(_("language (ISO 639-3)"), max_length=3, unique=True, validators=[validate_language_code])
    # The BCP 47 tag browsers and screen readers read in lang="…" (ISO 639-1 where one exists: ara → ar).
    tag = models.CharField(_("language tag (BCP 47)"), max_length=12)
    native_name = models.CharField(_("name in the language itself"), max_length=60)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.LTR)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("language of the guide")
        verbose_name_plural = _("languages of the guide")
        ordering = ["position", "code"]

    def __str__(self):
        return self.native_name


class TaxonomyTerm(models.Model):
    """HSDS taxonomy_term: the guide's categories, kept as data (seeded by a migration)."""

    TAXONOMY = "mediazione-guida"

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    taxonomy = models.CharField(_("taxonomy"), max_length=60, default=TAXONOMY)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Organization(models.Model):
    """HSDS organization: the body that runs services (an ASST, a municipality, a CPIA, an association)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    """HSDS service: what is offered."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        DEFUNCT = "defunct", _("closed for good")
        TEMPORARILY_CLOSED = "temporarily closed", _("temporarily closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    url = models.URLField(_("web page"), blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    fees_description = models.TextField(_("costs"), blank=True, help_text=_("e.g. free; ticket for visits"))
    eligibility_description = models.TextField(
        _("who can go"), blank=True, help_text=_("e.g. families with children under 14")
    )
    application_process = models.TextField(_("how to access"), blank=True, help_text=_("e.g. by appointment"))
    # HSDS service_attribute → taxonomy_term: one category per entry in this guide.
    category = models.ForeignKey(
        TaxonomyTerm, verbose_name=_("category"), on_delete=models.PROTECT, related_name="services"
    )

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Location(models.Model):
    """HSDS location with its physical address (HSDS address, one per location here) and accessibility."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(_("name of the place"), max_length=200, blank=True)
    address_1 = models.CharField(_("address"), max_length=200)
    city = models.CharField(_("municipality"), max_length=100)
    postal_code = models.CharField(_("postcode"), max_length=10, blank=True)
    state_province = models.CharField(_("province (abbreviation)"), max_length=2, blank=True)
    country = models.CharField(_("country"), max_length=2, default="IT")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True, help_text=_("e.g. step-free entrance, lift"))
    transportation = models.CharField(_("how to get there"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["city", "address_1"]

    def __str__(self):
        return f"{self.address_1}, {self.city}"


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Sent back")
    PUBLISHED = "published", _("Published")


class ServiceAtLocation(models.Model):
    """HSDS service_at_location: one entry of the guide, mapped by a district (or the province) and published by
    the province. ``published`` holds what the public reads, frozen at the last publication."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.OneToOneField(Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="entry")
    location = models.ForeignKey(Location, verbose_name=_("place"), on_delete=models.PROTECT, related_name="entries")
    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: the entry is for the whole province (mapped and kept by the province's staff).
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=12, choices=EntryState.choices, default=EntryState.DRAFT)
    # Published since its first publication, even while a new version is being edited or reviewed.
    is_public = models.BooleanField(_("public"), default=False)
    review_note = models.TextField(_("note of the review"), blank=True)
    # HSDS assured_date: the last day someone checked the entry against reality.
    assured_date = models.DateField(_("last reviewed on"))
    last_modified = models.DateTimeField(_("last modified"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The published version: texts, contacts, hours and languages as the public reads them.
    published = models.JSONField(_("published version"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    # Copies of the published name and description for the public search (an index on plain columns, any database).
    published_name = models.CharField(max_length=200, blank=True, editable=False)
    published_description = models.TextField(blank=True, editable=False)
    published_category = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    published_district = models.ForeignKey(
        "accounts.District", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("entry of the guide")
        verbose_name_plural = _("entries of the guide")
        ordering = ["service__name"]
        indexes = [
            models.Index(fields=["province", "is_public", "published_name"], name="guide_public_idx"),
            models.Index(fields=["district", "state"], name="guide_district_state_idx"),
            models.Index(fields=["assured_date"], name="guide_assured_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(published__isnull=False), name="guide_public_has_version"
            )
        ]

    def __str__(self):
        return self.service.name


class Phone(models.Model):
    """HSDS phone, of the entry (service_at_location)."""

    class Type(models.TextChoices):
        VOICE = "voice", _("phone")
        CELL = "cell", _("mobile")
        FAX = "fax", _("fax")
        TEXT = "text", _("text messages")

    entry = models.ForeignKey(ServiceAtLocation, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=40)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.VOICE)
    description = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["pk"]

    def __str__(self):
        return self.number


class Schedule(models.Model):
    """HSDS schedule: a weekly opening (freq WEEKLY, byday, opens_at, closes_at), in Italian local time."""

    DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

    entry = models.ForeignKey(ServiceAtLocation, on_delete=models.CASCADE, related_name="schedules")
    byday = models.CharField(_("days"), max_length=20, help_text=_("RFC 5545 days: MO,TU,WE,TH,FR,SA,SU"))
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))
    description = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="guide_schedule_order")
        ]

    def __str__(self):
        return f"{self.byday} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class ServiceLanguage(models.Model):
    """HSDS language: a language spoken at the entry (ISO 639-3, as everywhere in the portal)."""

    entry = models.ForeignKey(ServiceAtLocation, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language (ISO 639-3)"), max_length=3, validators=[validate_language_code])

    class Meta:
        verbose_name = _("language spoken")
        verbose_name_plural = _("languages spoken")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["entry", "code"], name="guide_language_once")]

    def __str__(self):
        return self.code


class EntryChange(models.Model):
    """The history of an entry: who did what, when, and which fields changed (old and new values)."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")
        SUBMITTED = "submitted", _("submitted for review")
        RETURNED = "returned", _("sent back")
        PUBLISHED = "published", _("published")
        REVIEWED = "reviewed", _("confirmed as still true")
        IMPORTED = "imported", _("imported")

    entry = models.ForeignKey(ServiceAtLocation, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("what"), max_length=12, choices=Action.choices)
    changes = models.JSONField(_("fields changed"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("change of an entry")
        verbose_name_plural = _("changes of entries")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.entry_id} {self.action}"


class GuideText(models.Model):
    """A text of a province's guide that is not an entry: the introduction, practical notes."""

    province = models.ForeignKey("accounts.Province", on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(_("key"), max_length=40, default="introduction")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("text of the guide")
        verbose_name_plural = _("texts of the guide")
        constraints = [models.UniqueConstraint(fields=["province", "key"], name="guide_text_once")]

    def __str__(self):
        return self.title


class Translation(models.Model):
    """One translated field of one object into one language, with the fingerprint of the Italian it was made from.

    Published only when approved *and* made from the Italian the public reads (``source_hash``): a translation whose
    source changed afterwards is outdated and the public page shows the Italian with a note."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("entry")
        TAXONOMY_TERM = "taxonomy_term", _("category")
        GUIDE_TEXT = "guide_text", _("text of the guide")

    class Status(models.TextChoices):
        DRAFT = "draft", _("being translated")
        SUBMITTED = "submitted", _("to approve")
        APPROVED = "approved", _("approved")
        OUTDATED = "outdated", _("outdated: the Italian changed")

    object_kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    object_id = models.CharField(_("object"), max_length=36)
    field = models.CharField(_("field"), max_length=40)
    language = models.CharField(_("language (ISO 639-3)"), max_length=3)
    text = models.TextField(_("translation"))
    source_hash = models.CharField(_("fingerprint of the Italian source"), max_length=16)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    translator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["object_kind", "object_id", "field", "language"], name="guide_translation_once"
            )
        ]
        indexes = [models.Index(fields=["language", "object_kind", "status"], name="guide_translation_idx")]

    def __str__(self):
        return f"{self.object_kind}:{self.object_id}:{self.field} [{self.language}]"


class TranslationTask(models.Model):
    """A coordinator asks a mediator who speaks the language to translate an entry (or, with no entry, the
    province's introduction and the categories) by a deadline; a second mediator or a coordinator approves."""

    class Status(models.TextChoices):
        OPEN = "open", _("to translate")
        SUBMITTED = "submitted", _("to approve")
        APPROVED = "approved", _("approved")
        CANCELLED = "cancelled", _("cancelled")

    province = models.ForeignKey("accounts.Province", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("accounts.District", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    entry = models.ForeignKey(
        ServiceAtLocation,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    language = models.CharField(_("language (ISO 639-3)"), max_length=3)
    translator = models.ForeignKey(
        "mediators.Mediator", verbose_name=_("translator"), on_delete=models.PROTECT, related_name="guide_tasks"
    )
    reviewer = models.ForeignKey(
        "mediators.Mediator",
        verbose_name=_("second mediator who approves"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guide_reviews",
        help_text=_("Empty: a coordinator approves."),
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The hours the work took, said when handing it in (0 < h ≤ 40: services.clean_hours); timesheets may count them.
    hours_spent = models.DecimalField(_("hours spent"), max_digits=4, decimal_places=2, null=True, blank=True)
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("translation task")
        verbose_name_plural = _("translation tasks")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return f"{self.entry or self.province} → {self.language}"


# --- Printed booklets ---------------------------------------------------------------------------------------------


class GuideEdition(models.Model):
    """One edition of the printable booklet of a province's guide, for one district (or the whole province) and one
    language (a :class:`GuideLanguage` code, or ``ita``). Built in the background from the published entries and kept
    for good: the province can always say which edition it printed and handed out."""

    ITALIAN = "ita"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: the whole province's booklet.
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language (ISO 639-3)"), max_length=3, validators=[validate_language_code])
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(_("file"), upload_to="guide/editions/%Y/", blank=True, max_length=300)
    error = models.TextField(_("what went wrong"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    built_at = models.DateTimeField(_("built on"), null=True, blank=True)

    class Meta:
        verbose_name = _("edition of the booklet")
        verbose_name_plural = _("editions of the booklet")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["province", "status", "-built_at"], name="guide_edition_idx")]

    def __str__(self):
        return self.filename

    @property
    def filename(self) -> str:
        place = self.district.name if self.district_id else self.province.name
        from django.utils.timezone import localtime

        moment = self.built_at or self.created_at
        day = localtime(moment).strftime("%Y-%m-%d") if moment else ""
        slug = "-".join("".join(c if c.isalnum() else " " for c in place.lower()).split())
        return f"guida-{slug}-{self.language}-{day}.pdf"


class PageView(models.Model):
    """How many times a province's public guide was read in one language in one month: a counter and nothing else
    (no address, no cookie, no time of day, no page). Written by ``services.page_view_count``; read by the report to
    the funder (the "mini-guide" action)."""

    province = models.ForeignKey("accounts.Province", on_delete=models.CASCADE, related_name="+")
    # The guide's language the page was read in (ISO 639-3): "ita" for the Italian guide.
    language = models.CharField(_("language (ISO 639-3)"), max_length=3)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    views = models.PositiveBigIntegerField(_("page views"), default=0)

    class Meta:
        verbose_name = _("page views of the guide")
        verbose_name_plural = _("page views of the guide")
        ordering = ["-month", "language"]
        constraints = [
            models.UniqueConstraint(fields=["province", "language", "month"], name="guide_page_views_once"),
        ]

    def __str__(self):
        return f"{self.province_id} {self.language} {self.month:%Y-%m}: {self.views}"
