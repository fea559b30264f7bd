"""Settings: one declaration of every setting, the reader of shipped TOML plus the user's overlay, and the checks behind `steward config check`."""

# TEMPORARY until the layout script rewrites every `steward.config` import.
from steward.config.settings import *  # noqa: E402,F401,F403
from steward.config.settings import _validate  # noqa: E402,F401
