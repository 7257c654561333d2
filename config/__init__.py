"""Project configuration: settings, URL map, WSGI/ASGI entry points."""

from config.paths import add_platform_to_path

add_platform_to_path()
