"""The operators' questions and answers (FAQ): social workers, coordinators and mediators ask; the province's staff and
the experts they designate answer; an answered question is published to every operator of the province.

Never to the public nor to the funder: the answers speak of how the province works, not of families. A question never
carries a family's data (core/identity.py refuses tax codes, e-mail addresses and phone numbers in its text).

One answer per question, kept on the question (written in Markdown, stored with its sanitised HTML and its plain
text for the search). On PostgreSQL ``search_vector`` is kept by a trigger (Italian configuration: title, question,
answer and tags, weighted in that order) and indexed with GIN; see migration 0002 and the README, "Domande frequenti".
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A shelf of the FAQ (reference data, the same for every province)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("FAQ category")
        verbose_name_plural = _("FAQ categories")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A word that groups answers across categories (e.g. "tribunale per i minorenni", "ISEE")."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("FAQ tag")
        verbose_name_plural = _("FAQ tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Expert(models.Model):
    """A person the province's staff designated to answer the province's questions (a coordinator who knows the
    juvenile court, a mediator who knows the residence permits)."""

    province = models.ForeignKey("accounts.Province", verbose_name=_("province"), on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="faq_expertises"
    )
    topic = models.CharField(_("what they answer about"), max_length=200, blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("designated on"), auto_now_add=True)

    class Meta:
        verbose_name = _("FAQ expert")
        verbose_name_plural = _("FAQ experts")
        constraints = [models.UniqueConstraint(fields=["province", "user"], name="faq_expert_once")]

    def __str__(self):
        return f"{self.user} ({self.province})"


class QuestionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an answer")
    PUBLISHED = "published", _("Answered")


class Question(models.Model):
    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("question"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="questions")
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.WAITING
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked on"))
    # The answer: Markdown as written, its sanitised HTML, its plain text (for the search and its snippets).
    answer = models.TextField(_("answer"), blank=True)
    answer_html = models.TextField(blank=True, editable=False)
    answer_text = models.TextField(blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered on"), null=True, blank=True)
    # Who keeps the answer true, and the last day they checked it (older than a year: flagged for review).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner of the answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    # The tags' names, for the search (kept by the services with the tags).
    tag_names = models.CharField(max_length=500, blank=True, editable=False)
    # PostgreSQL only: kept by the trigger of migration 0002 (empty on SQLite, which searches the words).
    search_vector = SearchVectorField(null=True, editable=False)
    useful_count = models.PositiveIntegerField(default=0, editable=False)
    not_useful_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-answered_at", "-pk"]
        indexes = [
            models.Index(fields=["province", "status", "asked_at"], name="faq_province_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="waiting") | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="faq_published_has_answer",
            )
        ]

    def __str__(self):
        return self.title


class Vote(models.Model):
    """Whether an operator found an answer useful: one per person and answer, changeable."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    useful = models.BooleanField(_("useful"))
    voted_at = models.DateTimeField(_("voted on"), auto_now=True)

    class Meta:
        verbose_name = _("vote on an answer")
        verbose_name_plural = _("votes on answers")
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="faq_vote_once")]

    def __str__(self):
        return f"{self.question_id} {self.user_id} {self.useful}"
