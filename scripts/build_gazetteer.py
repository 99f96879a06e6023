"""Generate knowledge/data/gazetteer.json from the data files of the `vietnamadminunits` package.

Dev-time tool: run it with a Python that has the package installed, e.g.
``/tmp/gazvenv/bin/python scripts/build_gazetteer.py``, or point ``--source`` at a directory
holding the package and its ``.dist-info`` (an unpacked wheel). The package is never imported
(it pulls numpy and shapely): only its metadata, ``dataset.db`` and ``converter_2025.json``
are read.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

PACKAGE = "vietnamadminunits"
OUTPUT = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "gazetteer.json"

# Type words as the package's keys write them (accent-free, no spaces, abbreviated or
# misspelt), mapped to the spelled-out accent-free type.
PROVINCE_TYPES = {"tinh": "tinh", "thanhpho": "thanh pho", "tp": "thanh pho"}
DISTRICT_TYPES = {
    "quan": "quan", "q": "quan", "district": "quan",
    "huyen": "huyen", "h": "huyen",
    "thixa": "thi xa", "thisa": "thi xa", "tx": "thi xa",
    "thanhpho": "thanh pho", "tp": "thanh pho",
}
WARD_TYPES = {"phuong": "phuong", "p": "phuong", "xa": "xa", "x": "xa", "dackhu": "dac khu"}
WARD_TYPE_NAMES = ("Phường", "Xã", "Đặc khu")

Unit = tuple[str, str]  # (province key, ward key) of a current unit, as the converter names it

# A spelling variant of a name differs from it in a letter or two (vy/vi, k/c, s/x).
MAX_VARIANT_LETTERS = 2


def fold(text: str) -> str:
    """Fold a text to accent-free lowercase words (``Đắk R'Lấp`` → ``dak rlap``)."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", bare.lower().replace("'", "")).split())


def squash(text: str) -> str:
    """Fold a text to the package's key form: accent-free, without spaces."""
    return fold(text).replace(" ", "")


class Speller:
    """Recovers syllable boundaries in the package's space-free keys."""

    def __init__(self, names: Iterable[str], type_keys: Iterable[str]) -> None:
        phrases = sorted({fold(name) for name in names})
        self.phrases = {phrase.replace(" ", ""): phrase.split() for phrase in phrases}
        self.syllables = {word for phrase in phrases for word in phrase.split()}
        self.syllables.update(type_keys)
        self.longest = max(map(len, self.syllables))

    def segment(self, key: str) -> list[str] | None:
        """Split a key as a known name spells it, else into the fewest known syllables.

        Numbers count as syllables; None when the key cannot be split.
        """
        if key in self.phrases:
            return self.phrases[key]
        best: list[list[str] | None] = [None] * (len(key) + 1)
        best[0] = []
        for end in range(1, len(key) + 1):
            for start in range(max(0, end - self.longest), end):
                piece, before = key[start:end], best[start]
                if before is None or not (piece in self.syllables or piece.isdigit()):
                    continue
                if best[end] is None or len(before) + 1 < len(best[end]):
                    best[end] = [*before, piece]
        return best[-1]

    def spell(self, key: str, like: list[str]) -> list[str] | None:
        """Syllables of ``key``: cut like ``like`` when it is a spelling variant of it."""
        joined = "".join(like)
        differences = sum(a != b for a, b in zip(key, joined, strict=False))
        if len(key) == len(joined) and differences <= MAX_VARIANT_LETTERS:
            cuts = [0]
            for word in like:
                cuts.append(cuts[-1] + len(word))
            return [key[a:b] for a, b in itertools.pairwise(cuts)]
        return self.segment(key)

    def aliases(
        self, keywords: Iterable[str], short: str, own_type: str, types: dict[str, str],
        taken: set[str],
    ) -> list[str]:
        """Written forms among the package's keywords that are not the unit's name or short name.

        A form is given without its type word, unless the type differs from the unit's own
        (``quan 2`` for Thành phố Thủ Đức). Forms that only change the type word, and forms that
        spell another unit's name (``taken``, space-free), are left out.
        """
        short_words = fold(short).split()
        if len(short_words) == 2 and short_words[0] == own_type and short_words[1].isdigit():
            short_words = short_words[1:]  # numbered districts: "Quận 1" has the short name "1"
        base = "".join(short_words)
        found: set[str] = set()
        for keyword in map(squash, keywords):  # a few keys keep their accents ("xãvănlang")
            splits = type_splits(keyword, types)
            rests = {rest.lstrip("0") if rest.isdigit() else rest for _, rest in splits}
            if base in rests:  # the unit's own name with another type word ("thixaphucyen")
                continue
            readings = []
            for type_name, rest in splits:
                words = self.spell(rest, short_words)
                if words is not None:
                    words = [str(int(w)) if w.isdigit() else w for w in words]
                    readings.append((len(words) + bool(type_name), not type_name, type_name, words))
            # The fewest words win, a type word on a tie; unsplittable forms ("hn") stay whole.
            _, _, type_name, words = min(
                readings, key=lambda reading: reading[:2], default=(0, True, None, [keyword])
            )
            if type_name and type_name != own_type:
                words = [type_name, *words]
            alias = " ".join(words)
            if alias.replace(" ", "") not in taken:
                found.add(alias)
        return sorted(found)


def type_splits(keyword: str, types: dict[str, str]) -> list[tuple[str | None, str]]:
    """List the readings of a key as (type word, rest): untyped, or typed before or after."""
    splits: list[tuple[str | None, str]] = [(None, keyword)]
    for type_key, type_name in types.items():
        if keyword == type_key:
            continue
        if keyword.startswith(type_key):
            splits.append((type_name, keyword[len(type_key):]))
        if len(type_key) > 1 and keyword.endswith(type_key):  # "kyanhthixa", never "…h"
            splits.append((type_name, keyword[: -len(type_key)]))
    return splits


def legacy_key(row: dict) -> str:
    """Return the converter's key of a legacy ward: ``provinceKey_districtKey_wardKey``."""
    return f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey'] or ''}"


def ward_sources(converter: dict, district_of: dict[str, str]) -> dict[Unit, set[str]]:
    """Map each current unit to the legacy wards it was formed from, whole or in part.

    The converter confuses divided wards of the same name (``Phường 3`` of two cities,
    ``Xã Hòa Bình`` of two districts): each is listed under the parts of all of them. Such a
    link stands when the ward's district put other wards into the unit too, or when no
    namesake's district did and the ward has no such unit anywhere else.
    """
    sources: dict[Unit, set[str]] = defaultdict(set)
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            sources[(province_key, ward_key)].update(old_keys)
    parts: dict[Unit, set[str]] = defaultdict(set)
    for province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, new_wards in divided.items():
            for new_ward in new_wards:
                parts[(province_key, new_ward["newWardKey"])].add(old_key)
                sources[(province_key, new_ward["newWardKey"])].add(old_key)

    def namesakes(old_key: str, unit: Unit) -> set[str]:
        name = old_key.rsplit("_", 1)[1]
        return {
            other for other in sources[unit]
            if other.rsplit("_", 1)[1] == name and district_of[other] != district_of[old_key]
        }

    doubtful = {unit: {k for k in parts[unit] if namesakes(k, unit)} for unit in parts}
    vouched = {
        unit: {district_of[k] for k in old_keys - doubtful.get(unit, set())}
        for unit, old_keys in sources.items()
    }
    units_of = units_by_legacy_ward(sources)

    def placed(old_key: str, unit: Unit) -> bool:
        return district_of[old_key] in vouched[unit]

    for unit, old_keys in doubtful.items():
        sources[unit] -= {
            k for k in old_keys
            if not placed(k, unit)
            and (any(placed(n, unit) for n in namesakes(k, unit))
                 or any(placed(k, other) for other in units_of[k]))
        }
    return sources


def units_by_legacy_ward(sources: dict[Unit, set[str]]) -> dict[str, set[Unit]]:
    """Invert ``ward_sources``: the current units each legacy ward went into."""
    units: dict[str, set[Unit]] = defaultdict(set)
    for unit, old_keys in sources.items():
        for old_key in old_keys:
            units[old_key].add(unit)
    return units


class Gazetteer:
    """Turns the package's rows into the gazetteer's units."""

    def __init__(self, legacy: list[dict], current: list[dict], converter: dict) -> None:
        self.legacy = legacy
        self.current = current
        self.converter = converter
        names = [
            row[column]
            for rows, columns in (
                (legacy, ("provinceShort", "districtShort", "wardShort", "district", "ward")),
                (current, ("provinceShort", "wardShort", "ward")),
            )
            for row in rows
            for column in columns
            if row[column]
        ]
        self.speller = Speller(names, [*PROVINCE_TYPES, *DISTRICT_TYPES, *WARD_TYPES])
        self.province_names = names_of(legacy + current, "province", "provinceShort")

    def province_aliases(self, row: dict) -> list[str]:
        """Return the aliases of a legacy or current province."""
        name, short = row["province"], row["provinceShort"]
        return self.speller.aliases(
            keywords_of(row, "provinceKeywords"), short, fold(name.removesuffix(short)),
            PROVINCE_TYPES, self.province_names - names_of([row], "province", "provinceShort"),
        )

    def provinces(self) -> tuple[list[dict], list[dict]]:
        """Return the 63 legacy provinces with their successors, and the 34 current ones."""
        current = {row["provinceKey"]: row for row in self.current}
        now_of = {
            old: current[new]["province"]
            for new, olds in self.converter["DICT_PROVINCE"].items()
            for old in olds
        }
        legacy = {row["provinceCode"]: row for row in self.legacy}
        absorbed: dict[str, list[str]] = defaultdict(list)
        for _, row in sorted(legacy.items()):
            absorbed[now_of[row["provinceKey"]]].append(row["province"])
        legacy_out = [
            {
                "code": code, "name": row["province"], "short": row["provinceShort"],
                "now": now_of[row["provinceKey"]], "aliases": self.province_aliases(row),
            }
            for code, row in sorted(legacy.items())
        ]
        current_out = [
            {
                "code": row["provinceCode"], "name": row["province"],
                "short": row["provinceShort"], "absorbed": absorbed[row["province"]],
                "aliases": self.province_aliases(row),
            }
            for row in sorted(current.values(), key=lambda r: r["provinceCode"])
        ]
        return legacy_out, current_out

    def districts(self) -> list[dict]:
        """Return the 696 legacy district-level units."""
        rows = {row["districtCode"]: row for row in self.legacy}
        taken = names_of(rows.values(), "district", "districtShort") | self.province_names
        out = []
        for code, row in sorted(rows.items()):
            kind = row["districtType"]
            short = re.sub(r"\s*\(.*\)$", "", row["districtShort"])  # "Kỳ Anh (Huyện)"
            out.append({
                "code": code,
                # Rebuilt from type and short name: a few rows write "Thị Xã", "Thành Phố".
                "name": short if short.startswith(kind) else f"{kind} {short}",
                "type": kind,
                "short": short,
                "province": row["province"],
                "aliases": self.speller.aliases(
                    keywords_of(row, "districtKeywords"), short, fold(kind), DISTRICT_TYPES,
                    taken - names_of([row], "district", "districtShort"),
                ),
            })
        return out

    def wards(self) -> list[dict]:
        """Return the 3,321 current wards, communes and special zones, traced to districts."""
        district_of = {legacy_key(row): row["districtCode"] for row in self.legacy}
        sources = ward_sources(self.converter, district_of)
        went_to = units_by_legacy_ward(sources)
        wards_of: dict[str, list[str]] = defaultdict(list)
        for old_key, district in district_of.items():
            wards_of[district].append(old_key)

        taken = names_of(self.current, "ward", "wardShort")
        out = []
        for row in sorted(self.current, key=lambda r: r["wardCode"]):
            unit = (row["provinceKey"], row["wardKey"])
            # The name is the official one; the package's wardType contradicts it in four rows.
            kind = next(t for t in WARD_TYPE_NAMES if row["ward"].startswith(f"{t} "))
            districts = sorted({district_of[old_key] for old_key in sources[unit]})
            out.append({
                "code": row["wardCode"],
                "name": row["ward"],
                "type": kind,
                "short": row["wardShort"],
                "province": row["province"],
                "aliases": self.speller.aliases(
                    keywords_of(row, "wardKeywords"), row["wardShort"], fold(kind), WARD_TYPES,
                    taken - names_of([row], "ward", "wardShort"),
                ),
                "formed_from": [
                    {
                        "district": district,
                        "whole": all(went_to[k] == {unit} for k in wards_of[district]),
                    }
                    for district in districts
                ],
            })
        return out


def names_of(rows: Iterable[dict], name: str, short: str) -> set[str]:
    """Return the space-free keys of the names and short names of some rows."""
    return {squash(re.sub(r"\(.*\)", "", row[column])) for row in rows for column in (name, short)}


def keywords_of(row: dict, column: str) -> list[str]:
    """Decode the JSON list stored in a keyword column."""
    return json.loads(row[column] or "[]")


def read_rows(database: Path, table: str) -> list[dict]:
    """Read all rows of a table of the package's dataset."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute(f"SELECT * FROM {table}")]


def find_distribution(source: Path | None) -> metadata.Distribution:
    """Find the installed package's distribution, or the one under ``source``."""
    if source is None:
        return metadata.distribution(PACKAGE)
    found = list(metadata.distributions(name=PACKAGE, path=[str(source)]))
    if not found:
        raise SystemExit(f"Error: no {PACKAGE} distribution (.dist-info) under {source}")
    return found[0]


def license_of(dist: metadata.Distribution) -> str:
    """Return the licence the distribution declares (expression, field or classifier)."""
    declared = dist.metadata.get("License-Expression") or dist.metadata.get("License")
    if declared:
        return declared
    for classifier in dist.metadata.get_all("Classifier") or []:
        if classifier.startswith("License :: OSI Approved :: "):
            return classifier.rsplit(" :: ", 1)[1].removesuffix(" License")
    return "licence not stated"


def build(dist: metadata.Distribution) -> dict:
    """Build the gazetteer from the distribution's dataset and 2025 converter data."""
    data = Path(str(dist.locate_file(f"{PACKAGE}/data")))
    database = data / "dataset.db"
    gazetteer = Gazetteer(
        read_rows(database, "admin_units_legacy"),
        read_rows(database, "admin_units"),
        json.loads((data / "converter_2025.json").read_text(encoding="utf-8")),
    )
    legacy_provinces, provinces = gazetteer.provinces()
    return {
        "generated_by": "scripts/build_gazetteer.py",
        "source": f"{PACKAGE} {dist.version} ({license_of(dist)})",
        "source_version": dist.version,
        "legacy_provinces": legacy_provinces,
        "provinces": provinces,
        "districts": gazetteer.districts(),
        "wards": gazetteer.wards(),
    }


def dump(gazetteer: dict) -> str:
    """Compact JSON with one unit per line, so that diffs show the units that changed."""
    def compact(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    fields = []
    for key, value in gazetteer.items():
        if isinstance(value, list):
            items = ",\n".join(compact(item) for item in value)
            fields.append(f"{compact(key)}:[\n{items}\n]")
        else:
            fields.append(f"{compact(key)}:{compact(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path,
        help=f"directory holding {PACKAGE} and its .dist-info (default: the installed package)",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the JSON")
    args = parser.parse_args()

    gazetteer = build(find_distribution(args.source))
    args.output.write_text(dump(gazetteer), encoding="utf-8")
    counts = ", ".join(f"{len(v)} {k}" for k, v in gazetteer.items() if isinstance(v, list))
    print(f"Wrote {args.output}: {counts}")


if __name__ == "__main__":
    main()
