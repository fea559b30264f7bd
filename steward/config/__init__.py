"""Settings: one declaration of every setting, the reader of shipped TOML plus the user's overlay, and the checks behind `steward config check`."""
