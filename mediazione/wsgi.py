import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mediazione.settings")

application = get_wsgi_application()

from mediazione.checks import refuse_misconfigured_start  # noqa: E402

refuse_misconfigured_start()

from mediazione.runtime import tune_garbage_collector  # noqa: E402

tune_garbage_collector()
