"""Crash-test writer: commit outbox rows one at a time, printing each number once committed.

Usage: python tests/crash_writer.py DATA_DIR FIRST_NUMBER   (runs until killed)
"""

import asyncio
import datetime as dt
import itertools
import sys

from bot.schedule import OutboxRow
from bot.storage import open_store


async def main() -> None:
    """Write ``crash:<n>`` rows for n = FIRST_NUMBER, FIRST_NUMBER + 1, … and acknowledge each."""
    data_dir, first = sys.argv[1], int(sys.argv[2])
    now = dt.datetime.now(dt.UTC)
    store = open_store(data_dir)
    for number in itertools.count(first):
        # Sizes vary so that a write which shortens the file would show up as garbage.
        await store.enqueue([OutboxRow(f"crash:{number}", number, "x" * (number * 37 % 900))],
                            now)
        print(number, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
