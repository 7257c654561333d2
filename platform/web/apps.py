from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"

    def ready(self) -> None:
        from web.uploads import multipart_header_limit_raise

        multipart_header_limit_raise()
