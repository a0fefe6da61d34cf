"""Reminders: a mediator's missing reports 48 hours after the appointment (once per appointment), and the social
workers' daily digest of reports to confirm and mediations to evaluate (at most once a day); in the recipient's
language, without the family's details."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from sessions_app.models import Evaluation
from timesheets import services, tasks
from timesheets.models import Reminder

from . import report_factories as rf

pytestmark = pytest.mark.django_db


def world_with(hours_ago: float, **world):
    w = rf.make_world(sessions=0, **world)
    appointment = rf.past_appointment(w.request, days_ago=0)
    appointment.starts_at = timezone.now() - timedelta(hours=hours_ago)
    appointment.ends_at = appointment.starts_at + timedelta(hours=1)
    appointment.save()
    w.appointments.append(appointment)
    return w


def test_a_mediator_is_reminded_once_of_a_report_missing_after_48_hours():
    world = world_with(50)
    world.mediator_user.language = "en"
    world.mediator_user.save()
    assert tasks.remind_missing_reports_task.delay().get() == 1
    (message,) = mail.outbox
    assert message.to == [world.mediator_user.email]
    assert "report" in message.subject.lower()
    assert f"/appuntamenti/{world.appointments[0].pk}/resoconto/" in message.body
    assert world.request.goal not in message.body and "udienza" not in message.body
    assert Reminder.objects.filter(appointment=world.appointments[0]).count() == 1
    assert services.reminders_missing_reports() == 0
    assert len(mail.outbox) == 1


def test_the_reminder_is_in_the_mediators_language():
    world_with(50)
    services.reminders_missing_reports()
    assert mail.outbox[0].body.startswith("Buongiorno,")


def test_no_reminder_before_48_hours_nor_for_a_written_report_nor_a_month_later():
    early = world_with(40)
    written = world_with(60)
    rf.write(written, written.appointments[0])
    old = world_with(24 * 31)
    assert services.reminders_missing_reports() == 0
    assert not mail.outbox
    assert not Reminder.objects.filter(appointment__in=[*early.appointments, *old.appointments]).exists()


def test_a_draft_report_is_still_missing_and_a_void_appointment_is_not():
    draft = world_with(60)
    rf.write(draft, draft.appointments[0], submit=False)
    void = world_with(60)
    void.appointments[0].status = "void"
    void.appointments[0].save()
    assert services.reminders_missing_reports() == 1
    assert mail.outbox[0].to == [draft.mediator_user.email]


def test_a_social_worker_gets_one_digest_a_day_of_what_waits_for_them():
    world = world_with(60)
    rf.write(world, world.appointments[0])  # submitted: waits for the office's confirmation
    assert tasks.remind_social_workers_task.delay().get() == 1
    (message,) = mail.outbox
    assert message.to == [world.social_worker.email]
    assert "1 " in message.body and settings.PORTAL_BASE_URL + "/resoconti/" in message.body
    assert world.request.case_code not in message.body
    assert services.reminders_social_workers() == 0
    assert services.reminders_social_workers(today=timezone.localdate() + timedelta(days=1)) == 1


def test_a_completed_request_without_the_offices_evaluation_is_in_the_digest():
    world = rf.make_world(sessions=0, status="completed")
    services.reminders_social_workers()
    assert mail.outbox and mail.outbox[0].to == [world.social_worker.email]
    mail.outbox.clear()
    Reminder.objects.all().delete()
    Evaluation.objects.create(request=world.request, side="requester", mediator=world.mediator, by=world.social_worker)
    assert services.reminders_social_workers() == 0


def test_nothing_pending_means_no_digest():
    rf.make_world(sessions=0)
    assert services.reminders_social_workers() == 0


def test_the_beat_schedule_runs_both_reminders():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"timesheets.tasks.remind_missing_reports_task", "timesheets.tasks.remind_social_workers_task"} <= (
        tasks_scheduled
    )
