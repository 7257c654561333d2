from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from portal.uploads import multipart_header_limit_raise

        multipart_header_limit_raise()
