"""Files live in a storage any host reads: a folder (MEDIA_ROOT, a shared volume) or an S3-compatible bucket.

The bucket is moto's (``mock_aws``): the portal's code talks to it through django-storages and boto3 as it would to
S3, MinIO or a cloud's object storage; nothing leaves the machine.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from django.urls import reverse
from moto import mock_aws

from accounts.scoping import actor_for
from audit.models import ReadEvent
from mediators import importing
from reporting import services
from reporting.models import ReportJob

from . import factories as f
from .conftest import login_client
from .test_reporting import build_data
from .test_settings import read_settings, run_check

pytestmark = pytest.mark.django_db

BUCKET = "mediazione-reports"
REGION = "eu-south-1"


@pytest.fixture
def bucket(settings, tmp_path, monkeypatch):
    """The default storage is an S3 bucket (moto's); MEDIA_ROOT is an empty folder that must stay empty."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with mock_aws():
        s3 = boto3.resource("s3", region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "region_name": REGION,
                    "access_key": "test",
                    "secret_key": "test",
                    "location": "mediazione",
                    "file_overwrite": True,
                },
            },
        }
        yield s3.Bucket(BUCKET)


@pytest.fixture
def data():
    return build_data()


def keys(bucket) -> list[str]:
    return sorted(item.key for item in bucket.objects.all())


def ask(data, fmt: str = "csv") -> ReportJob:
    """A job asked for and not started yet (the test's transaction never commits, so nothing sends it)."""
    return services.report_job_create(
        actor=actor_for(data.staff),
        province=data.province,
        project=data.project,
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 12, 31),
        format=fmt,
    )


def prepared(data, fmt: str = "csv") -> ReportJob:
    job = ask(data, fmt)
    assert services.report_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    return job


def test_a_report_job_is_written_to_the_bucket_and_downloaded_from_it(data, bucket, tmp_path):
    job = prepared(data)
    assert job.status == "done"
    assert keys(bucket) == [f"mediazione/{job.file.name}"]
    stored = bucket.Object(f"mediazione/{job.file.name}").get()["Body"].read()
    assert stored.startswith(b"\xef\xbb\xbf") and stored.decode("utf-8-sig").count("\n") == 1 + 7
    assert not (tmp_path / "media").exists()

    response = login_client(data.staff).get(reverse("reporting:job_download", args=[job.pk]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="{job.filename}"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == stored
    assert ReadEvent.objects.filter(user=data.staff, what=f"reporting.report.csv:{job.pk}").count() == 1


def test_a_pdf_from_the_bucket_is_whole(data, bucket):
    job = prepared(data, fmt="pdf")
    response = login_client(data.staff).get(reverse("reporting:job_download", args=[job.pk]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF") and body.rstrip().endswith(b"%%EOF")


def test_downloads_from_the_bucket_keep_their_permission_checks(data, bucket):
    job = prepared(data)
    for user in (f.province_staff(), data.coordinator):
        response = login_client(user).get(reverse("reporting:job_download", args=[job.pk]))
        assert response.status_code == 404
    assert ReadEvent.objects.filter(what=f"reporting.report.csv:{job.pk}").count() == 0


def test_a_file_gone_from_the_bucket_is_a_404_not_a_500(data, bucket):
    job = prepared(data)
    bucket.Object(f"mediazione/{job.file.name}").delete()
    assert login_client(data.staff).get(reverse("reporting:job_download", args=[job.pk])).status_code == 404


def test_two_jobs_of_the_same_period_keep_a_file_each(data, bucket):
    first, second = prepared(data), prepared(data)
    assert first.file.name != second.file.name
    assert keys(bucket) == sorted(f"mediazione/{job.file.name}" for job in (first, second))


def test_a_new_attempt_removes_the_whole_file_of_an_attempt_killed_before_it_marked_the_job_done(data, bucket):
    job = ask(data)
    ReportJob.objects.filter(pk=job.pk).update(attempts=1)
    killed = services._stored_name(job, 1)  # saved, then the worker died before writing "done"
    bucket.put_object(Key=f"mediazione/{killed}", Body=b"a whole report nobody points at")

    assert services.report_job_run(job_id=job.pk) is True

    job.refresh_from_db()
    assert job.attempts == 2 and keys(bucket) == [f"mediazione/{job.file.name}"]


def test_an_unreachable_bucket_sends_the_job_back_to_the_queue(data, bucket, monkeypatch, settings):
    job = ask(data)
    settings.REPORT_JOB_MAX_ATTEMPTS = 3

    def unreachable(*args, **kwargs):
        raise EndpointConnectionError(endpoint_url="https://s3.eu-south-1.amazonaws.com")

    monkeypatch.setattr("storages.backends.s3.S3Storage._save", unreachable)
    with pytest.raises(services.TryAgain):
        services.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == ("queued", 1, "")
    assert keys(bucket) == []


def test_expired_reports_leave_the_bucket(data, bucket):
    job = prepared(data)
    ReportJob.objects.filter(pk=job.pk).update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert services.report_jobs_expire() == 1
    assert keys(bucket) == []


def test_a_roster_upload_waits_for_its_confirmation_in_the_bucket(bucket, tmp_path):
    token = importing.upload_store(data=b"nome;cognome\nAmina;Haddad\n", extension="csv")
    assert keys(bucket) == [f"mediazione/imports/{token}.csv"]
    assert importing.upload_read(token=token, extension="csv") == b"nome;cognome\nAmina;Haddad\n"
    importing.upload_discard(token=token, extension="csv")
    assert keys(bucket) == []
    with pytest.raises(importing.UploadMissing):
        importing.upload_read(token=token, extension="csv")
    assert not (tmp_path / "media").exists()


# --- Settings -------------------------------------------------------------------------------------------------------


def test_files_are_kept_in_media_root_by_default(tmp_path):
    result = read_settings(
        tmp_path,
        "from django.conf import settings as s; print(s.STORAGE_BACKEND, s.STORAGES['default']['BACKEND'], "
        "s.MEDIA_ROOT)",
        DEBUG="1",
        MEDIA_ROOT="/srv/mediazione/media",
    )
    assert result.stdout.split() == [
        "filesystem",
        "django.core.files.storage.FileSystemStorage",
        "/srv/mediazione/media",
    ]


def test_an_s3_compatible_bucket_is_configured_from_the_environment(tmp_path):
    secret = tmp_path / "s3-secret"
    secret.write_text("segreto-del-bucket\n")
    result = read_settings(
        tmp_path,
        "from django.conf import settings as s; from django.core.files.storage import default_storage as d; "
        "o = s.STORAGES['default']['OPTIONS']; print(s.STORAGES['default']['BACKEND']); "
        "print(d.bucket_name, d.endpoint_url, d.addressing_style, d.location, o['secret_key'], d.querystring_auth)",
        DEBUG="1",
        STORAGE_BACKEND="S3",
        AWS_STORAGE_BUCKET_NAME="mediazione-cremona",
        AWS_S3_ENDPOINT_URL="https://minio.provincia.example.it",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_LOCATION="/portale/",
        AWS_ACCESS_KEY_ID="mediazione",
        AWS_SECRET_ACCESS_KEY_FILE=str(secret),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "storages.backends.s3.S3Storage",
        "mediazione-cremona https://minio.provincia.example.it path portale segreto-del-bucket True",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND='nfs' is not a storage: use filesystem (MEDIA_ROOT) or s3"),
        (
            {"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ADDRESSING_STYLE": "dns"},
            "AWS_S3_ADDRESSING_STYLE='dns' is not auto, path or virtual",
        ),
    ],
)
def test_a_misconfigured_storage_is_reported_by_the_check(tmp_path, env, message):
    result = run_check(tmp_path, DEBUG="1", **env)
    assert result.returncode != 0
    assert message in result.stderr and "mediazione.E001" in result.stderr


def test_a_media_root_the_portal_cannot_write_is_warned_about(settings, monkeypatch, tmp_path):
    from mediazione.checks import check_environment

    settings.MEDIA_ROOT = str(tmp_path / "media" / "not-yet")
    assert not [w for w in check_environment() if w.id == "mediazione.W002"]
    monkeypatch.setattr("mediazione.checks.os.access", lambda path, mode: False)
    (warning,) = [w for w in check_environment() if w.id == "mediazione.W002"]
    assert str(tmp_path) in warning.msg and "cannot be written" in warning.msg


def test_in_a_folder_a_new_attempt_also_removes_the_files_a_killed_attempt_left(data, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    job = ask(data)
    ReportJob.objects.filter(pk=job.pk).update(attempts=1)
    killed = tmp_path / "media" / services._stored_name(job, 1)
    killed.parent.mkdir(parents=True)
    killed.write_bytes(b"a whole report nobody points at")
    (killed.parent / f".{job.pk}.1.part").write_bytes(b"half a report")

    assert services.report_job_run(job_id=job.pk) is True

    job.refresh_from_db()
    files = [p.relative_to(tmp_path / "media").as_posix() for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert files == [job.file.name] and job.file.name.endswith(f"-{job.pk}-2.csv")
