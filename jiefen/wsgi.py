import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from jiefen.startup import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
settings.DEBUG  # noqa: B018  (loads the settings: refuse before anything else starts)
require_secret_key()
application = get_wsgi_application()
