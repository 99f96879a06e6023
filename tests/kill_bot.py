"""Kill benchmark: SIGKILL `thidua run` many times mid-broadcast and mid-questions, print counts.

Run: .venv/bin/python tests/kill_bot.py [--groups 300] [--askers 300] [--kills 16]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fake_bot_api import FakeBotApi
from test_kill import run_with_kills


async def measure(groups: int, askers: int, kills: int, seed: int) -> None:
    """Run the kills against a fresh data directory and print what was lost and repeated."""
    async with FakeBotApi() as api:
        with tempfile.TemporaryDirectory() as root:
            figures = await run_with_kills(api, Path(root) / "data", groups, askers, kills, seed)
    for name, value in figures.items():
        print(f"{name}: {value}")
    if figures["groups_lost"] or figures["questions_unanswered"]:
        raise SystemExit("FAILED: something fetched or queued was lost")
    if figures["groups_twice"] > figures["counted_in_report"]:
        raise SystemExit("FAILED: more repeats than the report counts")


def main() -> None:
    """Parse the arguments and run the kill benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--askers", type=int, default=300)
    parser.add_argument("--kills", type=int, default=16)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(measure(args.groups, args.askers, args.kills, args.seed))


if __name__ == "__main__":
    main()
