"""An index on the start of appointments: the calendars read a period of a district or a province by it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_offer_live_once_per_mediator"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["starts_at"], name="appointment_starts_at_idx"),
        ),
    ]
