"""An appointment keeps the district of its request's office (filled from the requests here), with an index on
(district, starts_at): a district's month is read without the region's month."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_districts(apps, schema_editor):
    Appointment = apps.get_model("scheduling", "Appointment")
    MediationRequest = apps.get_model("requests_app", "MediationRequest")
    Appointment.objects.using(schema_editor.connection.alias).update(
        district_id=Subquery(
            MediationRequest.objects.filter(pk=OuterRef("request_id")).values("office__district_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_region_indexes"),
        ("requests_app", "0002_list_indexes"),
        ("scheduling", "0005_appointment_appointment_planned_idx_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="district",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.district",
                verbose_name="district",
                db_index=False,
            ),
        ),
        migrations.RunPython(fill_districts, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="appointment",
            name="district",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.district",
                verbose_name="district",
                db_index=False,
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["district", "starts_at"],
                include=["id", "mediator", "ends_at", "status", "late_cancellation"],
                name="appointment_district_time_idx",
            ),
        ),
    ]
