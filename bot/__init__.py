"""Application wiring: settings, the Telegram application, storage, scheduling and entry points."""
