"""The PostgreSQL schema's versions: numbered SQL files in ``bot/sql``, applied in order at start.

``NNNN_name.sql`` is version NNNN. What is missing is applied in one transaction (PostgreSQL's DDL
is transactional: a failed file leaves nothing behind) and recorded in ``schema_migrations``.
Instances starting together take one advisory lock, so only the first applies anything.
A database whose schema is newer than this code is refused, as the TinyDB state is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from psycopg import AsyncConnection

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# pg_advisory_xact_lock key for applying migrations ("thidua" in ASCII, then 1).
MIGRATION_LOCK = 0x746869647561_01


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The shipped migrations, in version order."""
    found = []
    for entry in resources.files("bot").joinpath("sql").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda migration: migration.version)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer version of the bot."""


async def apply_migrations(connection: AsyncConnection) -> list[Migration]:
    """Bring the database's schema up to date in one transaction; return what was applied."""
    shipped = migrations()
    newest = max((migration.version for migration in shipped), default=0)
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
            "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())")
        cursor = await connection.execute("SELECT version FROM schema_migrations")
        done = {version for (version,) in await cursor.fetchall()}
        if done and max(done) > newest:
            raise SchemaTooNew(f"the database has schema version {max(done)}, newer than this "
                               f"bot's {newest}: run the newer version of the bot")
        missing = [migration for migration in shipped if migration.version not in done]
        for migration in missing:
            await connection.execute(migration.sql.encode())
            await connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name))
    return missing
