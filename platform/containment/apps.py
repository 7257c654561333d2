from django.apps import AppConfig


class ContainmentConfig(AppConfig):
    name = "containment"
    verbose_name = "Leak containment"
