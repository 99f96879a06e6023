"""The bot's state in PostgreSQL (psycopg 3, async), shared by every instance on one database.

``PostgresStore`` implements the ``Store`` protocol of ``bot/storage.py``: every write method
is one transaction, reads see committed state. Documents are the JSON of ``bot/records.py``
(checked when read back) under a key, beside the columns that queries use (``TABLES``); the
schema is versioned in ``bot/sql`` (``bot/pgschema.py``). Several instances share it safely:

- enqueuing is idempotent by row id (``message_key|chat_id``) and the sent log's key, so a
  reminder run or an announcement is queued once however many instances queue it;
- an instance delivers to a chat only while it holds the claim on the chat's first pending row
  (``claim``/``take``, ``SELECT … FOR UPDATE SKIP LOCKED``). A claim lives as long as its
  instance's heartbeat (``INSTANCE_TIMEOUT``); a dead instance's chats are then taken over and
  a try it left in flight is sent again, counted as possibly sent twice;
- updates are recorded once by ``update_id``; an acknowledgement once per reminder and person,
  a reminder's receipt once per run, the figures given once per chat and fact (the latest time).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import AsyncConnection, sql
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from bot.audit import AuditEntry
from bot.pgschema import apply_migrations
from bot.records import (
    Ack,
    BadDocument,
    Conversation,
    GivenFact,
    InboxEntry,
    ReminderSent,
    ReportDraft,
    SentMark,
    decode,
    encode,
)
from bot.schedule import Announcement, Group, OutboxRow, Subscription
from bot.storage import (
    MAX_UNANSWERED,
    Claimed,
    RowClaimed,
    StoreHealth,
    StoreUnavailable,
    delivery_order,
)
from bot.unanswered import Unanswered

log = logging.getLogger(__name__)

HEARTBEAT = dt.timedelta(seconds=5)
# An instance not seen for this long is dead: its claims are free for the others.
INSTANCE_TIMEOUT = dt.timedelta(seconds=15)
DEAD_INSTANCES_KEPT = dt.timedelta(days=1)
CONNECT_TIMEOUT = 10.0
DEFAULT_POOL_SIZE = 10
# Errors that mean "the database cannot be reached or written now", not a bug.
UNAVAILABLE: tuple[type[BaseException], ...] = (
    psycopg.OperationalError, psycopg.errors.ReadOnlySqlTransaction, PoolTimeout)

Columns = Callable[[Any], dict[str, Any]]

# Each table: the dataclass of its documents and the columns derived from one.
TABLES: dict[str, tuple[type, Columns]] = {
    "subscriptions": (Subscription, lambda s: {"chat_id": s.chat_id, "place": s.place}),
    "groups": (Group, lambda g: {}),
    "announcements": (Announcement, lambda a: {"state": a.state, "created_at": a.created_at}),
    "outbox": (OutboxRow, lambda r: {"seq": r.seq, "message_key": r.message_key,
                                     "chat_id": r.chat_id, "state": r.state,
                                     "not_before": r.not_before}),
    "sent_log": (SentMark, lambda m: {"at": m.at}),
    "unanswered": (Unanswered, lambda u: {}),
    "inbox": (InboxEntry, lambda e: {"update_id": e.update_id, "chat": e.chat,
                                     "handled_at": e.handled_at}),
    "audit": (AuditEntry, lambda e: {}),
    "conversations": (Conversation, lambda c: {"at": c.at}),
    "given": (GivenFact, lambda g: {"chat_id": g.chat_id, "fact_id": g.fact_id, "at": g.at}),
    "reminders_sent": (ReminderSent, lambda r: {"chat_id": r.chat_id, "due": r.due}),
    "acks": (Ack, lambda a: {"chat_id": a.chat_id, "at": a.at}),
    "report_drafts": (ReportDraft, lambda d: {"admin_id": d.admin_id, "state": d.state,
                                              "created_at": d.created_at}),
}
# Tables numbered by a sequence of the same name plus ``_seq``, keyed by the zero-padded number.
NUMBERED = ("unanswered", "audit")

# A claim is held by a live instance: its heartbeat is recent.
_CLAIMED_BY_LIVE = """EXISTS (SELECT 1 FROM instances i WHERE i.id = {column}
    AND i.seen_at > clock_timestamp() - %(timeout)s)"""
_FREE = f"""({{column}} IS NULL OR {{column}} = %(me)s
    OR NOT {_CLAIMED_BY_LIVE})"""
_FIRST_OF_CHAT = """NOT EXISTS (SELECT 1 FROM outbox p WHERE p.chat_id = o.chat_id
    AND p.state = 'pending' AND p.seq < o.seq)"""
_DUE = "o.state = 'pending' AND (o.not_before IS NULL OR o.not_before <= %(now)s)"
_CLAIM = f"""
WITH picked AS (
    SELECT o.key FROM outbox o
    WHERE {_DUE} AND NOT (o.chat_id = ANY(%(exclude)s))
      AND {_FREE.format(column="o.claimed_by")} AND {_FIRST_OF_CHAT}
    ORDER BY (o.chat_id < 0), o.seq
    LIMIT %(limit)s
    FOR UPDATE OF o SKIP LOCKED
), claimed AS (
    UPDATE outbox SET claimed_by = %(me)s FROM picked WHERE outbox.key = picked.key
    RETURNING outbox.chat_id
)
SELECT doc FROM outbox WHERE state = 'pending' AND chat_id IN (SELECT chat_id FROM claimed)
ORDER BY chat_id, seq"""
_TAKE = f"""
UPDATE outbox o SET claimed_by = %(me)s
WHERE o.key = %(key)s AND {_DUE} AND {_FREE.format(column="o.claimed_by")}
  AND {_FIRST_OF_CHAT}
RETURNING o.doc"""


def new_instance_id() -> str:
    """A name for this process among the instances: host, PID and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _numbered(number: int) -> str:
    return f"{number:012d}"


class PostgresStore:
    """The ``Store`` on PostgreSQL. ``connect()`` before use; ``close()`` at the end.

    ``register``: take part as an instance (heartbeat, claims); the command line reads and
    writes without. ``pool_size`` bounds this process's connections; a call waits up to
    ``connect_timeout`` seconds for one (``StoreUnavailable`` after that).
    """

    def __init__(self, url: str, *, register: bool = True,
                 pool_size: int = DEFAULT_POOL_SIZE,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self.instance_id = new_instance_id()
        self.pool = AsyncConnectionPool(url, min_size=1, max_size=pool_size, open=False,
                                        kwargs={"autocommit": True}, name="thidua",
                                        timeout=connect_timeout)
        self.url = url
        self._register = register
        self._health = StoreHealth()
        self._heartbeat: asyncio.Task[None] | None = None
        self.instance_info: dict[str, Any] = {"host": socket.gethostname(),
                                              "pid": os.getpid()}

    # Connections --------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the pool, bring the schema up to date, register this instance."""
        try:
            await self.pool.open(wait=True, timeout=self.pool.timeout)
        except UNAVAILABLE as error:
            await self.pool.close()
            raise StoreUnavailable(f"cannot connect to the database: {error}") from error
        async with self._connection() as connection:
            applied = await apply_migrations(connection)
        for migration in applied:
            log.info("Database schema: applied %04d_%s", migration.version, migration.name)
        if self._register:
            await self.beat()
            self._heartbeat = asyncio.get_running_loop().create_task(
                self._beating(), name="instance heartbeat")

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """A pooled connection; a database that cannot be reached is ``StoreUnavailable``."""
        try:
            async with self.pool.connection() as connection:
                yield connection
        except UNAVAILABLE as error:
            self._failed(error)
            raise StoreUnavailable(f"{type(error).__name__}: {error}") from error
        self._succeeded()

    @contextlib.asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        """One commit: everything inside is kept together, or nothing."""
        async with self._connection() as connection, connection.transaction():
            yield connection

    def _failed(self, error: BaseException) -> None:
        message = f"{type(error).__name__}: {error}"
        if not self._health.failing:
            log.error("Database write or read failed: %s", message)
        self._health = StoreHealth(last_error=message, last_error_at=dt.datetime.now(dt.UTC),
                                   failing=True)

    def _succeeded(self) -> None:
        if self._health.failing:
            log.warning("The database answers again after: %s", self._health.last_error)
            self._health = replace(self._health, failing=False)

    def health(self) -> StoreHealth:
        """How this process's database calls are going."""
        return self._health

    async def check_writable(self) -> None:
        """Make a small commit (``StoreUnavailable`` while the database fails)."""
        async with self._transaction() as connection:
            await connection.execute("UPDATE instances SET seen_at = clock_timestamp() "
                                     "WHERE id = %s", (self.instance_id,))

    async def beat(self) -> None:
        """Tell the other instances this one is alive (and what it runs, ``instance_info``)."""
        health = self._health
        info = {**self.instance_info, "last_error": health.last_error,
                "last_error_at": health.last_error_at and health.last_error_at.isoformat(),
                "failing": health.failing}
        async with self._connection() as connection:
            await connection.execute(
                "INSERT INTO instances (id, doc) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE "
                "SET seen_at = clock_timestamp(), doc = EXCLUDED.doc",
                (self.instance_id, Jsonb(info)))
            await connection.execute("DELETE FROM instances WHERE seen_at < clock_timestamp() "
                                     "- %s", (DEAD_INSTANCES_KEPT,))

    async def _beating(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            with contextlib.suppress(StoreUnavailable):
                await self.beat()

    async def instances(self) -> list[tuple[str, dt.datetime, dt.datetime, bool, dict[str, Any]]]:
        """Every instance seen lately: id, start, last heartbeat, alive, what it reported."""
        async with self._connection() as connection:
            cursor = await connection.execute(
                "SELECT id, started_at, seen_at, seen_at > clock_timestamp() - %s, doc "
                "FROM instances ORDER BY started_at", (INSTANCE_TIMEOUT,))
            return list(await cursor.fetchall())

    async def close(self) -> None:
        """Stop the heartbeat, free this instance's claims and leave the instance list."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        if self._register and not self.pool.closed:
            with contextlib.suppress(StoreUnavailable):
                async with self._transaction() as connection:
                    await connection.execute("UPDATE outbox SET claimed_by = NULL "
                                             "WHERE claimed_by = %s", (self.instance_id,))
                    await connection.execute("DELETE FROM instances WHERE id = %s",
                                             (self.instance_id,))
        await self.pool.close()

    # Documents ----------------------------------------------------------------------------

    @staticmethod
    def _row(table: str, key: str, record: Any) -> dict[str, Any]:
        """The column values of ``record`` stored under ``key``."""
        _, columns = TABLES[table]
        return {"key": key, "doc": Jsonb(encode(record)), **columns(record)}

    async def _put(self, connection: AsyncConnection, table: str, key: str, record: Any, *,
                   overwrite: bool = True, newer_by: str | None = None) -> bool:
        """Store ``record`` under ``key``; True if it was stored.

        A row already under the key is replaced; with ``overwrite=False`` it stays; with
        ``newer_by`` (a time column), it is replaced only by a later record.
        """
        values = self._row(table, key, record)
        names = list(values)
        on_conflict = sql.SQL("DO NOTHING")
        if overwrite:
            on_conflict = sql.SQL("DO UPDATE SET {updates}").format(updates=sql.SQL(", ").join(
                sql.SQL("{name} = EXCLUDED.{name}").format(name=sql.Identifier(name))
                for name in names if name != "key"))
            if newer_by is not None:
                on_conflict += sql.SQL(" WHERE {table}.{column} < EXCLUDED.{column}").format(
                    table=sql.Identifier(table), column=sql.Identifier(newer_by))
        cursor = await connection.execute(sql.SQL(
            "INSERT INTO {table} ({names}) VALUES ({values}) ON CONFLICT (key) {on_conflict}"
        ).format(table=sql.Identifier(table),
                 names=sql.SQL(", ").join(map(sql.Identifier, names)),
                 values=sql.SQL(", ").join(map(sql.Placeholder, names)),
                 on_conflict=on_conflict), values)
        return cursor.rowcount == 1

    @staticmethod
    def _decode_all(cls: type, docs: Iterable[Any]) -> list[Any]:
        """Decode documents; one of the wrong shape is logged CRITICAL and left out."""
        records = []
        for doc in docs:
            try:
                records.append(decode(cls, doc))
            except BadDocument as problem:
                log.critical("A %s document in the database is of the wrong shape (%s); "
                             "left out: %r", cls.__name__, problem, doc)
        return records

    async def _select(self, cls: type, query: str, params: Any = ()) -> list[Any]:
        async with self._connection() as connection:
            cursor = await connection.execute(query, params)
            return self._decode_all(cls, (doc for (doc, *_) in await cursor.fetchall()))

    async def _one(self, cls: type, query: str, params: Any = ()) -> Any:
        found = await self._select(cls, query, params)
        return found[0] if found else None

    # Subscriptions and groups -----------------------------------------------------------

    async def subscriptions(self, chat_id: int | None = None) -> list[Subscription]:
        """Every subscription, or one chat's."""
        if chat_id is None:
            return await self._select(Subscription, "SELECT doc FROM subscriptions ORDER BY key")
        return await self._select(Subscription, "SELECT doc FROM subscriptions WHERE chat_id "
                                  "= %s ORDER BY key", (chat_id,))

    async def subscription(self, subscription_id: str) -> Subscription | None:
        """The subscription with this id, or None once it is gone."""
        return await self._one(Subscription, "SELECT doc FROM subscriptions WHERE key = %s",
                               (subscription_id,))

    async def save_subscription(self, subscription: Subscription) -> Subscription:
        """Store a subscription, replacing the chat's one to the same unit.

        The replaced one's id is kept, and the target years it reported over.
        """
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "SELECT doc FROM subscriptions WHERE chat_id = %s AND place = %s FOR UPDATE",
                (subscription.chat_id, subscription.place))
            for existing in self._decode_all(Subscription,
                                             (doc for (doc,) in await cursor.fetchall())):
                subscription = replace(subscription, id=existing.id).reporting_over(
                    existing.reported_over)
            await self._put(connection, "subscriptions", subscription.id, subscription)
            await _notify(connection, "subscriptions")
        return subscription

    async def remove_subscriptions(self, chat_id: int,
                                   place: str | None = None) -> list[Subscription]:
        """Remove a chat's subscriptions (to the unit ``place`` only, if given); return them."""
        async with self._transaction() as connection:
            return await self._remove_subscriptions(connection, chat_id, place)

    async def _remove_subscriptions(self, connection: AsyncConnection, chat_id: int,
                                    place: str | None) -> list[Subscription]:
        query = "DELETE FROM subscriptions WHERE chat_id = %s"
        params: tuple[Any, ...] = (chat_id,)
        if place is not None:
            query += " AND place = %s"
            params += (place,)
        cursor = await connection.execute(query + " RETURNING doc", params)
        removed = self._decode_all(Subscription, (doc for (doc,) in await cursor.fetchall()))
        if removed:
            await _notify(connection, "subscriptions")
        return sorted(removed, key=lambda s: s.id)

    async def groups(self) -> list[Group]:
        """Every group registered for announcements."""
        return await self._select(Group, "SELECT doc FROM groups ORDER BY key")

    async def group(self, chat_id: int) -> Group | None:
        """The group's registration, or None."""
        return await self._one(Group, "SELECT doc FROM groups WHERE key = %s", (str(chat_id),))

    async def save_group(self, group: Group) -> None:
        """Register a group, replacing its earlier registration."""
        async with self._transaction() as connection:
            await self._put(connection, "groups", str(group.chat_id), group)

    async def remove_group(self, chat_id: int) -> bool:
        """Unregister a group; False if it was not registered."""
        async with self._transaction() as connection:
            cursor = await connection.execute("DELETE FROM groups WHERE key = %s",
                                              (str(chat_id),))
            return cursor.rowcount > 0

    # Announcements and the outbox -------------------------------------------------------

    async def announcement(self, announcement_id: str) -> Announcement | None:
        """The announcement with this id, or None."""
        return await self._one(Announcement, "SELECT doc FROM announcements WHERE key = %s",
                               (announcement_id,))

    async def announcements(self, state: str) -> list[Announcement]:
        """Announcements in one state (``draft``, ``queued``, ``cancelled``, ``reported``)."""
        return await self._select(Announcement, "SELECT doc FROM announcements WHERE state = %s "
                                  "ORDER BY created_at, key", (state,))

    async def save_announcement(self, announcement: Announcement, rows: Iterable[OutboxRow] = (),
                                now: dt.datetime | None = None) -> None:
        """Store an announcement and, in the same commit, enqueue ``rows`` (at ``now``)."""
        rows = list(rows)
        if rows and now is None:
            raise ValueError("enqueuing rows needs the time")
        async with self._transaction() as connection:
            await self._put(connection, "announcements", announcement.id, announcement)
            if rows:
                assert now is not None
                await self._enqueue(connection, rows, now)

    async def cancel_announcement(self, announcement_id: str) -> bool:
        """Cancel a queued announcement none of whose rows was tried yet; False if too late.

        Its rows and its key in the sent log go, so nothing of it is sent. An instance that
        claimed one of its rows then fails to record the try and sends nothing.
        """
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "SELECT doc FROM announcements WHERE key = %s FOR UPDATE", (announcement_id,))
            found = self._decode_all(Announcement, (doc for (doc,) in await cursor.fetchall()))
            if not found or found[0].state != "queued":
                return False
            announcement = found[0]
            cursor = await connection.execute(
                "SELECT doc FROM outbox WHERE message_key = %s ORDER BY seq FOR UPDATE",
                (announcement.message_key,))
            rows = self._decode_all(OutboxRow, (doc for (doc,) in await cursor.fetchall()))
            if any(row.state != "pending" or row.attempts or row.in_flight for row in rows):
                return False
            await connection.execute("DELETE FROM outbox WHERE message_key = %s",
                                     (announcement.message_key,))
            await connection.execute("DELETE FROM sent_log WHERE key = %s",
                                     (announcement.message_key,))
            await self._put(connection, "announcements", announcement.id,
                            replace(announcement, state="cancelled"))
            return True

    async def enqueue(self, rows: Iterable[OutboxRow], now: dt.datetime) -> list[OutboxRow]:
        """Add the rows not yet in the outbox (in order), log their keys as sent; return them.

        Idempotent across instances: the same (message, chat) is added once.
        """
        rows = list(rows)
        if not rows:
            return []
        async with self._transaction() as connection:
            return await self._enqueue(connection, rows, now)

    async def queue_reminders(self, rows: Iterable[OutboxRow], now: dt.datetime,
                              reported_over: Mapping[str, Iterable[int]],
                              sent: Iterable[ReminderSent]) -> list[OutboxRow]:
        """Enqueue reminder rows, in one commit with what they tell.

        ``reported_over``: the target years each reports as over, by subscription id; ``sent``:
        the receipts of the target reminders among them. Instances queuing the same run add
        its row and receipt once; the years reported over are the union of what each noted.
        """
        rows = list(rows)
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "SELECT doc FROM subscriptions WHERE key = ANY(%s) ORDER BY key FOR UPDATE",
                (sorted(reported_over),))
            for current in self._decode_all(Subscription,
                                            (doc for (doc,) in await cursor.fetchall())):
                await self._put(connection, "subscriptions", current.id,
                                current.reporting_over(reported_over[current.id]))
            for receipt in sorted(sent, key=lambda receipt: receipt.key):
                await self._put(connection, "reminders_sent", receipt.key, receipt,
                                overwrite=False)
            return await self._enqueue(connection, rows, now) if rows else []

    async def _enqueue(self, connection: AsyncConnection, rows: list[OutboxRow],
                       now: dt.datetime) -> list[OutboxRow]:
        cursor = await connection.execute(
            "SELECT nextval('outbox_seq') FROM generate_series(1, %s)", (len(rows),))
        numbers = sorted(n for (n,) in await cursor.fetchall())
        numbered = [replace(row, seq=n, queued_at=now) for row, n in zip(rows, numbers,
                                                                          strict=True)]
        cursor = await connection.execute(
            "INSERT INTO outbox (key, seq, message_key, chat_id, state, not_before, doc) "
            "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::bigint[], "
            "%s::text[], %s::timestamptz[], %s::jsonb[]) ON CONFLICT (key) DO NOTHING "
            "RETURNING key",
            ([r.id for r in numbered], [r.seq for r in numbered],
             [r.message_key for r in numbered], [r.chat_id for r in numbered],
             [r.state for r in numbered], [r.not_before for r in numbered],
             [Jsonb(encode(r)) for r in numbered]))
        inserted = {key for (key,) in await cursor.fetchall()}
        added, seen = [], set()
        for row in numbered:
            if row.id in inserted and row.id not in seen:
                seen.add(row.id)
                added.append(row)
        marks = [SentMark(key, now) for key in dict.fromkeys(row.message_key for row in rows)]
        await connection.execute(
            "INSERT INTO sent_log (key, at, doc) SELECT * FROM unnest(%s::text[], "
            "%s::timestamptz[], %s::jsonb[]) ON CONFLICT (key) DO NOTHING",
            ([m.key for m in marks], [m.at for m in marks], [Jsonb(encode(m)) for m in marks]))
        if added:
            await _notify(connection, "outbox")
        return added

    async def sent_keys(self) -> set[str]:
        """Keys of every message ever enqueued (``reminder:…``, ``announce:…``)."""
        async with self._connection() as connection:
            cursor = await connection.execute("SELECT key FROM sent_log")
            return {key for (key,) in await cursor.fetchall()}

    async def pending(self) -> list[OutboxRow]:
        """Every pending row, in enqueue order."""
        return await self._select(OutboxRow, "SELECT doc FROM outbox WHERE state = 'pending' "
                                  "ORDER BY seq")

    async def outbox(self) -> list[OutboxRow]:
        """Every row still kept, in enqueue order (health reports)."""
        return await self._select(OutboxRow, "SELECT doc FROM outbox ORDER BY seq")

    async def row(self, row_id: str) -> OutboxRow | None:
        """One outbox row by its id, or None."""
        return await self._one(OutboxRow, "SELECT doc FROM outbox WHERE key = %s", (row_id,))

    async def rows(self, message_key: str) -> list[OutboxRow]:
        """Every row of one message, e.g. to report on a broadcast."""
        return await self._select(OutboxRow, "SELECT doc FROM outbox WHERE message_key = %s "
                                  "ORDER BY seq", (message_key,))

    def _claim_params(self, **params: Any) -> dict[str, Any]:
        return {"me": self.instance_id, "timeout": INSTANCE_TIMEOUT, **params}

    async def save_rows(self, rows: Iterable[OutboxRow]) -> None:
        """Record rows' new states; rows another live instance is delivering are left alone."""
        rows = list(rows)
        if not rows:
            return
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "UPDATE outbox o SET doc = v.doc, state = v.state, not_before = v.not_before "
                "FROM unnest(%(keys)s::text[], %(docs)s::jsonb[], %(states)s::text[], "
                "%(times)s::timestamptz[]) AS v(key, doc, state, not_before) "
                f"WHERE o.key = v.key AND {_FREE.format(column='o.claimed_by')} "
                "RETURNING o.key",
                self._claim_params(keys=[r.id for r in rows],
                                   docs=[Jsonb(encode(r)) for r in rows],
                                   states=[r.state for r in rows],
                                   times=[r.not_before for r in rows]))
            missing = {r.id for r in rows} - {key for (key,) in await cursor.fetchall()}
            if not missing:
                return
            cursor = await connection.execute("SELECT key FROM outbox WHERE key = ANY(%s)",
                                              (list(missing),))
            claimed = [key for (key,) in await cursor.fetchall()]
        if len(claimed) < len(missing):
            raise KeyError(f"no outbox row {sorted(missing - set(claimed))[0]}")
        raise RowClaimed(sorted(claimed))

    async def claim(self, now: dt.datetime, limit: int | None,
                    exclude: Collection[int] = ()) -> Claimed:
        """Claim chats whose first pending row is due and whose claim is free (SKIP LOCKED)."""
        async with self._transaction() as connection:
            cursor = await connection.execute(_CLAIM, self._claim_params(
                now=now, limit=limit, exclude=list(exclude)))
            docs = [doc for (doc,) in await cursor.fetchall()]
            cursor = await connection.execute(
                "SELECT min(not_before) FROM outbox WHERE state = 'pending' AND not_before > %s",
                (now,))
            (next_due,) = await cursor.fetchone() or (None,)
        by_chat: dict[int, list[OutboxRow]] = {}
        for row in self._decode_all(OutboxRow, docs):
            by_chat.setdefault(row.chat_id, []).append(row)
        return Claimed(sorted(by_chat.values(), key=delivery_order), next_due)

    async def take(self, row_id: str, now: dt.datetime) -> OutboxRow | None:
        """Claim the row if it is pending, due, first of its chat and not claimed by another."""
        return await self._one(OutboxRow, _TAKE, self._claim_params(key=row_id, now=now))

    async def save_claimed(self, row: OutboxRow) -> bool:
        """Record a row this instance claimed; the claim ends when the row is settled."""
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "UPDATE outbox SET doc = %(doc)s, state = %(state)s, not_before = %(not_before)s,"
                " claimed_by = CASE WHEN %(state)s = 'pending' THEN claimed_by END "
                "WHERE key = %(key)s AND claimed_by = %(me)s",
                self._claim_params(doc=Jsonb(encode(row)), state=row.state,
                                   not_before=row.not_before, key=row.id))
            return cursor.rowcount == 1

    async def release(self, row_ids: Iterable[str]) -> None:
        """Give up this instance's claims on these rows."""
        async with self._transaction() as connection:
            await connection.execute("UPDATE outbox SET claimed_by = NULL WHERE key = ANY(%s) "
                                     "AND claimed_by = %s", (list(row_ids), self.instance_id))

    async def migrate_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move a chat's subscriptions, registration, pending rows and figures to its new id."""
        async with self._transaction() as connection:
            for subscription in await self._remove_subscriptions(connection, old_chat_id, None):
                await self._put(connection, "subscriptions", subscription.id,
                                replace(subscription, chat_id=new_chat_id))
            cursor = await connection.execute("DELETE FROM groups WHERE key = %s RETURNING doc",
                                              (str(old_chat_id),))
            for group in self._decode_all(Group, (doc for (doc,) in await cursor.fetchall())):
                await self._put(connection, "groups", str(new_chat_id),
                                replace(group, chat_id=new_chat_id))
            cursor = await connection.execute(
                "DELETE FROM outbox WHERE chat_id = %s AND state = 'pending' RETURNING doc",
                (old_chat_id,))
            for row in self._decode_all(OutboxRow, (doc for (doc,) in await cursor.fetchall())):
                moved = row.moved_to(new_chat_id)
                values = self._row("outbox", moved.id, moved)
                await connection.execute(
                    "INSERT INTO outbox (key, seq, message_key, chat_id, state, not_before, doc) "
                    "VALUES (%(key)s, %(seq)s, %(message_key)s, %(chat_id)s, %(state)s, "
                    "%(not_before)s, %(doc)s) ON CONFLICT (key) DO NOTHING", values)
            cursor = await connection.execute("DELETE FROM given WHERE chat_id = %s RETURNING doc",
                                              (old_chat_id,))
            moved = self._decode_all(GivenFact, (doc for (doc,) in await cursor.fetchall()))
            for given in sorted(moved, key=lambda given: given.fact_id):
                await self._put_given(connection, replace(given, chat_id=new_chat_id))
            await _notify(connection, "subscriptions")

    async def drop_chat(self, chat_id: int, reason: str) -> list[Subscription]:
        """Stop all delivery to a chat that blocked or removed the bot (``Forbidden``).

        Its pending rows become inactive; its subscriptions and group registration are removed.
        Returns the removed subscriptions, whose jobs the caller cancels.
        """
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "SELECT doc FROM outbox WHERE chat_id = %s AND state = 'pending' FOR UPDATE",
                (chat_id,))
            for row in self._decode_all(OutboxRow, (doc for (doc,) in await cursor.fetchall())):
                await self._put(connection, "outbox", row.id, row.inactive(reason))
            await connection.execute("DELETE FROM groups WHERE key = %s", (str(chat_id),))
            await connection.execute("DELETE FROM given WHERE chat_id = %s", (chat_id,))
            return await self._remove_subscriptions(connection, chat_id, None)

    async def forget_before(self, cutoff: dt.datetime) -> int:
        """Drop history from before ``cutoff``: delivered messages, settled announcements."""
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM sent_log WHERE at < %s AND key NOT IN (SELECT message_key FROM "
                "outbox WHERE state = 'pending') RETURNING key", (cutoff,))
            done = [key for (key,) in await cursor.fetchall()]
            await connection.execute("DELETE FROM outbox WHERE message_key = ANY(%s)", (done,))
            await connection.execute("DELETE FROM announcements WHERE state <> 'queued' "
                                     "AND created_at < %s", (cutoff,))
        return len(done)

    # The unanswered log, the inbox and conversations ------------------------------------

    async def log_unanswered(self, entry: Unanswered) -> None:
        """Add a question to the log, keeping the newest ``MAX_UNANSWERED``."""
        async with self._transaction() as connection:
            number = await self._append(connection, "unanswered", entry)
            await connection.execute("DELETE FROM unanswered WHERE key <= %s",
                                     (_numbered(number - MAX_UNANSWERED),))

    async def _append(self, connection: AsyncConnection, table: str, record: Any) -> int:
        cursor = await connection.execute(sql.SQL("SELECT nextval({})").format(
            sql.Literal(f"{table}_seq")))
        (number,) = await cursor.fetchone() or (0,)
        await self._put(connection, table, _numbered(number), record)
        return number

    async def unanswered(self) -> list[Unanswered]:
        """The logged questions, oldest first."""
        return await self._select(Unanswered, "SELECT doc FROM unanswered ORDER BY key")

    async def record_updates(self, entries: Iterable[InboxEntry]) -> set[int]:
        """Record fetched updates before they are handled; return the ids already known."""
        entries = list(entries)
        if not entries:
            return set()
        async with self._transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO inbox (key, update_id, chat, handled_at, doc) SELECT * FROM "
                "unnest(%s::text[], %s::bigint[], %s::bigint[], %s::timestamptz[], %s::jsonb[])"
                " ON CONFLICT DO NOTHING RETURNING update_id",  # key and update_id: both unique
                ([str(e.update_id) for e in entries], [e.update_id for e in entries],
                 [e.chat for e in entries], [e.handled_at for e in entries],
                 [Jsonb(encode(e)) for e in entries]))
            fresh = {update_id for (update_id,) in await cursor.fetchall()}
        return {entry.update_id for entry in entries} - fresh

    async def finish_update(self, update_id: int, now: dt.datetime) -> None:
        """Mark an update handled: its payload goes, its id stays until forgotten."""
        async with self._transaction() as connection:
            await connection.execute(
                "UPDATE inbox SET handled_at = %s, doc = doc || jsonb_build_object("
                "'payload', '{}'::jsonb, 'handled_at', %s::text) WHERE key = %s",
                (now, now.isoformat(), str(update_id)))

    async def forget_updates(self, cutoff: dt.datetime) -> None:
        """Drop the ids of updates handled before ``cutoff``."""
        async with self._transaction() as connection:
            await connection.execute("DELETE FROM inbox WHERE handled_at < %s", (cutoff,))

    async def unhandled_updates(self) -> list[InboxEntry]:
        """Recorded updates not yet handled, oldest first."""
        return await self._select(InboxEntry, "SELECT doc FROM inbox WHERE handled_at IS NULL "
                                  "ORDER BY update_id")

    async def is_handled(self, update_id: int) -> bool:
        """Whether some instance has handled the update (an unknown one counts as handled)."""
        async with self._connection() as connection:
            cursor = await connection.execute("SELECT handled_at IS NOT NULL FROM inbox "
                                              "WHERE key = %s", (str(update_id),))
            found = await cursor.fetchone()
        return found is None or bool(found[0])

    async def unhandled_before(self, chat: int, update_id: int) -> list[InboxEntry]:
        """The chat's recorded updates older than ``update_id`` that nobody handled yet."""
        return await self._select(InboxEntry, "SELECT doc FROM inbox WHERE chat = %s AND "
                                  "handled_at IS NULL AND update_id < %s ORDER BY update_id",
                                  (chat, update_id))

    async def conversation(self, key: str) -> Conversation | None:
        """The conversation stored under ``key``, if any (whichever instance stored it)."""
        return await self._one(Conversation, "SELECT doc FROM conversations WHERE key = %s",
                               (key,))

    async def save_conversations(self, conversations: Iterable[Conversation]) -> None:
        """Store conversations (replacing those of the same keys) in one commit."""
        async with self._transaction() as connection:
            for conversation in conversations:
                await self._put(connection, "conversations", conversation.key, conversation)

    async def forget_conversations(self, cutoff: dt.datetime) -> int:
        """Drop conversations quiet since before ``cutoff``; return how many."""
        async with self._transaction() as connection:
            cursor = await connection.execute("DELETE FROM conversations WHERE at < %s",
                                              (cutoff,))
            return cursor.rowcount

    # Report drafts ---------------------------------------------------------------------

    async def report_draft(self, draft_id: str) -> ReportDraft | None:
        """The report draft with this id, or None (never made, or forgotten)."""
        return await self._one(ReportDraft, "SELECT doc FROM report_drafts WHERE key = %s",
                               (draft_id,))

    async def report_drafts(self, admin_id: int | None = None) -> list[ReportDraft]:
        """Every kept report draft, or one admin's, oldest first."""
        if admin_id is None:
            return await self._select(ReportDraft, "SELECT doc FROM report_drafts "
                                      "ORDER BY created_at, key")
        return await self._select(ReportDraft, "SELECT doc FROM report_drafts WHERE admin_id "
                                  "= %s ORDER BY created_at, key", (admin_id,))

    async def save_report_draft(self, draft: ReportDraft, *, if_state: str | None = None) -> bool:
        """Store a report draft (replacing the one with its id); False when not stored.

        With ``if_state``, it is stored only if the draft stored now is in that state: of two
        instances or presses claiming an open draft, the row lock lets one update it.
        """
        async with self._transaction() as connection:
            if if_state is None:
                await self._put(connection, "report_drafts", draft.id, draft)
                return True
            cursor = await connection.execute(
                "UPDATE report_drafts SET admin_id = %(admin_id)s, state = %(state)s, "
                "created_at = %(created_at)s, doc = %(doc)s "
                "WHERE key = %(key)s AND state = %(if_state)s",
                {**self._row("report_drafts", draft.id, draft), "if_state": if_state})
            return cursor.rowcount == 1

    async def forget_report_drafts(self, cutoff: dt.datetime) -> int:
        """Drop report drafts made before ``cutoff``; return how many."""
        async with self._transaction() as connection:
            cursor = await connection.execute("DELETE FROM report_drafts WHERE created_at < %s",
                                              (cutoff,))
            return cursor.rowcount

    # Figures given, reminders sent and acknowledged --------------------------------------

    async def record_given(self, chat_id: int, fact_ids: Iterable[str], at: dt.datetime) -> None:
        """Remember that these figures were given to the chat at ``at``."""
        async with self._transaction() as connection:
            for fact_id in sorted(set(fact_ids)):  # rows locked in one order: no deadlock
                await self._put_given(connection, GivenFact(chat_id, fact_id, at))

    async def _put_given(self, connection: AsyncConnection, given: GivenFact) -> None:
        """Keep the latest time a figure was given, in whatever order instances note it."""
        await self._put(connection, "given", given.key, given, newer_by="at")

    async def given(self, fact_ids: Iterable[str]) -> list[GivenFact]:
        """Who was given these figures (and when last), while they are kept."""
        return await self._select(GivenFact, "SELECT doc FROM given WHERE fact_id = ANY(%s) "
                                  "ORDER BY key", (list(dict.fromkeys(fact_ids)),))

    async def record_ack(self, ack: Ack) -> bool:
        """Keep an acknowledgement; False if that person had already acknowledged it."""
        async with self._transaction() as connection:
            return await self._put(connection, "acks", ack.key, ack, overwrite=False)

    async def acks(self, chat_id: int | None = None) -> list[Ack]:
        """Acknowledgements, of one chat or all, oldest first."""
        if chat_id is None:
            return await self._select(Ack, "SELECT doc FROM acks ORDER BY at, key")
        return await self._select(Ack, "SELECT doc FROM acks WHERE chat_id = %s "
                                  "ORDER BY at, key", (chat_id,))

    async def reminders_sent(self, chat_id: int | None = None) -> list[ReminderSent]:
        """Target reminders queued, of one chat or all, oldest first."""
        if chat_id is None:
            return await self._select(ReminderSent,
                                      "SELECT doc FROM reminders_sent ORDER BY due, key")
        return await self._select(ReminderSent, "SELECT doc FROM reminders_sent WHERE "
                                  "chat_id = %s ORDER BY due, key", (chat_id,))

    async def trim_records(self, given_before: dt.datetime, acks_before: dt.datetime) -> None:
        """Forget figures given before ``given_before``; reminders and acks before the other."""
        async with self._transaction() as connection:
            await connection.execute("DELETE FROM given WHERE at < %s", (given_before,))
            await connection.execute("DELETE FROM reminders_sent WHERE due < %s",
                                     (acks_before,))
            await connection.execute("DELETE FROM acks WHERE at < %s", (acks_before,))

    # The audit log ---------------------------------------------------------------------

    async def record_audit(self, entry: AuditEntry) -> None:
        """Append an entry to the audit log (kept; never rewritten)."""
        async with self._transaction() as connection:
            await self._append(connection, "audit", entry)

    async def audit(self, limit: int | None = None) -> list[AuditEntry]:
        """The audit log, oldest first (the last ``limit`` entries)."""
        return await self._select(AuditEntry, "SELECT doc FROM (SELECT key, doc FROM audit "
                                  "ORDER BY key DESC LIMIT %s) AS last ORDER BY key", (limit,))

    # Copying the whole state (``thidua state migrate``) --------------------------------

    async def export_tables(self) -> dict[str, dict[str, Any]]:
        """Every document, by table and key, as the TinyDB snapshot holds them."""
        tables: dict[str, dict[str, Any]] = {}
        async with self._connection() as connection:
            for table in TABLES:
                cursor = await connection.execute(sql.SQL(
                    "SELECT key, doc FROM {} ORDER BY key").format(sql.Identifier(table)))
                tables[table] = dict(await cursor.fetchall())
        return tables

    async def import_tables(self, tables: dict[str, dict[str, Any]]) -> dict[str, int]:
        """Add the documents of ``tables`` to an empty database; return the count per table.

        Each document is checked first (``BadDocument`` names the first wrong one); numbering
        goes on after the highest number imported.
        """
        records = {table: [(key, decode(TABLES[table][0], doc))
                           for key, doc in tables.get(table, {}).items()] for table in TABLES}
        async with self._transaction() as connection:
            for table in TABLES:
                cursor = await connection.execute(sql.SQL("SELECT count(*) FROM {}").format(
                    sql.Identifier(table)))
                (count,) = await cursor.fetchone() or (0,)
                if count:
                    raise ValueError(f"the database already holds {count} {table} row(s): "
                                     "copy only into an empty database")
            for table, keyed in records.items():
                for key, record in keyed:
                    await self._put(connection, table, key, record)
            for table in NUMBERED:
                await _continue_sequence(connection, f"{table}_seq", [
                    int(key) for key, _ in records[table] if key.isdigit()])
            await _continue_sequence(connection, "outbox_seq",
                                     [row.seq for _, row in records["outbox"]])
        return {table: len(keyed) for table, keyed in records.items()}


async def _continue_sequence(connection: AsyncConnection, sequence: str,
                             numbers: list[int]) -> None:
    if numbers:
        await connection.execute("SELECT setval(%s, %s)", (sequence, max(numbers)))


async def _notify(connection: AsyncConnection, channel: str, payload: str = "") -> None:
    """Tell every instance's listener (``bot/cluster.py``) once the transaction commits."""
    await connection.execute("SELECT pg_notify(%s, %s)", (f"thidua_{channel}", payload))

