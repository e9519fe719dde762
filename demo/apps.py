from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`). The top floor: it may import every app, and no
    app imports it."""

    name = "demo"
    verbose_name = "Demo data"
