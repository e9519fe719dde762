from django.apps import AppConfig


class JiefenConfig(AppConfig):
    name = "jiefen"
    verbose_name = "Jiefen"
