"""The knowledge base every instance answers from: versions published in PostgreSQL.

A reload (``/capnhat``, SIGHUP, ``thidua kb reload``) checks the data files where it runs and
publishes them whole (``kb_versions``), then notifies every instance, which loads that exact
version: instances with different files on disk still answer alike. At start an instance
answers from the newest published version, or publishes its own files when none is.
A version published by the command line is announced to the groups by one instance only.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from psycopg.types.json import Jsonb

from bot.library import Library, Reload, read_data_files, version_of
from bot.pgstore import PostgresStore
from knowledge import KnowledgeBase, KnowledgeBaseError, load_knowledge_base

logger = logging.getLogger(__name__)
VERSIONS_KEPT = 10

Announce = Callable[[Reload], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Published:
    """A published version: its number, content digest and who published it."""

    id: int
    digest: str
    published_by: str


def load_files(files: dict[str, str]) -> KnowledgeBase:
    """Load a knowledge base from data files held in memory (``KnowledgeBaseError``)."""
    directory = Path(tempfile.mkdtemp(prefix="thidua-kb-"))
    try:
        for name, text in files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return load_knowledge_base(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


async def publish(store: PostgresStore, files: dict[str, str], by: str, *,
                  announced: bool) -> Published:
    """Publish ``files`` as the newest version and notify every instance.

    ``announced``: the publisher told the groups about the new figures itself.
    """
    digest = version_of(files)
    async with store.pool.connection() as connection, connection.transaction():
        cursor = await connection.execute(
            "INSERT INTO kb_versions (digest, files, published_by, announced_by) "
            "VALUES (%s, %s, %s, %s) RETURNING id",
            (digest, Jsonb(files), by, by if announced else None))
        (number,) = await cursor.fetchone() or (0,)
        await connection.execute("DELETE FROM kb_versions WHERE id <= %s",
                                 (number - VERSIONS_KEPT,))
        await connection.execute("SELECT pg_notify('thidua_kb', %s)", (str(number),))
    return Published(number, digest, by)


async def newest(store: PostgresStore) -> Published | None:
    """The newest published version, if any."""
    async with store.pool.connection() as connection:
        cursor = await connection.execute(
            "SELECT id, digest, published_by FROM kb_versions ORDER BY id DESC LIMIT 1")
        row = await cursor.fetchone()
    return Published(*row) if row else None


class KnowledgeVersions:
    """Keeps this instance's ``Library`` on the newest published version.

    ``announce`` tells the groups about a version's new figures; it runs on one instance for a
    version published unannounced (by the command line).
    """

    def __init__(self, store: PostgresStore, library: Library, announce: Announce) -> None:
        self._store = store
        self._library = library
        self._announce = announce
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Answer from the newest published version; publish the local files if there is none."""
        current = await newest(self._store)
        if current is None:
            await publish(self._store, read_data_files(self._library.data_dir),
                          self._store.instance_id, announced=True)
            logger.info("Published this instance's knowledge base %s for the others.",
                        self._library.version[:12])
        elif current.digest != self._library.version:
            logger.warning("The local data files differ from the knowledge base the other "
                           "instances use (version %s, published by %s): answering from that "
                           "one. Run `thidua kb reload` to publish these files.",
                           current.digest[:12], current.published_by)
            await self.follow()
        self._store.instance_info["kb"] = self._library.version

    async def published(self) -> None:
        """After a reload here: publish the files just loaded (already announced here)."""
        async with self._lock:
            await publish(self._store, read_data_files(self._library.data_dir),
                          self._store.instance_id, announced=True)
            self._store.instance_info["kb"] = self._library.version

    async def follow(self, _payload: str = "") -> None:
        """Load the newest published version unless it is the one in use (a notification)."""
        async with self._lock:
            current = await newest(self._store)
            if current is None or current.digest == self._library.version:
                return
            async with self._store.pool.connection() as connection:
                cursor = await connection.execute("SELECT files FROM kb_versions WHERE id = %s",
                                                  (current.id,))
                row = await cursor.fetchone()
            if row is None:
                return
            files = row[0]
            try:
                kb = await asyncio.to_thread(load_files, files)
            except KnowledgeBaseError as error:
                logger.error("Published knowledge base %s does not load here; keeping %s: %s",
                             current.digest[:12], self._library.version[:12], error)
                return
            result = self._library.adopt(kb, current.digest)
            self._store.instance_info["kb"] = current.digest
            logger.info("Now answering from knowledge base %s (published by %s).",
                        current.digest[:12], current.published_by)
            if await self._claim_announcement(current.id):
                await self._announce(result)

    async def _claim_announcement(self, version: int) -> bool:
        """Whether this instance is the one to announce ``version`` (first come)."""
        async with self._store.pool.connection() as connection:
            cursor = await connection.execute(
                "UPDATE kb_versions SET announced_by = %s WHERE id = %s AND announced_by IS NULL",
                (self._store.instance_id, version))
            return cursor.rowcount == 1
