"""Settings, assembled from one base module and one small module per integration.

Everything is read from the environment (see docs/configuration.md); with nothing set,
the embedded default runs: SQLite, local media, console email.
"""

from config.settings.api import *  # noqa: F403
from config.settings.auth import *  # noqa: F403
from config.settings.base import *  # noqa: F403
from config.settings.cache import *  # noqa: F403
from config.settings.containment import *  # noqa: F403
from config.settings.database import *  # noqa: F403
from config.settings.email import *  # noqa: F403
from config.settings.generation import *  # noqa: F403
from config.settings.observability import *  # noqa: F403
from config.settings.program import *  # noqa: F403
from config.settings.provenance import *  # noqa: F403
from config.settings.queue import *  # noqa: F403
from config.settings.review import *  # noqa: F403
from config.settings.security import *  # noqa: F403
from config.settings.storage import *  # noqa: F403
from config.settings.watermark import *  # noqa: F403
