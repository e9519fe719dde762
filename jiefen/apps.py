from django.apps import AppConfig
from django.conf import settings


class JiefenConfig(AppConfig):
    name = "jiefen"
    verbose_name = "Jiefen"

    def ready(self):
        if settings.CELERY_BROKER_URL:
            # The province profile: tasks are sent through this app (jiefen/celery.py).
            from . import celery  # noqa: F401
