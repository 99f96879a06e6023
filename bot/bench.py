"""Benchmarks of the answer engine: latency, throughput, start-up time and peak memory.

Runs at seed scale (the shipped knowledge base) and at national scale (a synthetic knowledge
base with facts for every unit of both maps, about 100,000, written as YAML and loaded the same
way). Start-up and memory are measured in fresh child processes, with the compiled cache.
"""

from __future__ import annotations

import compileall
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.library import settle
from knowledge import KnowledgeBase, answer, load_knowledge_base
from knowledge.base import DATA_DIR
from knowledge.numbers import format_vn_number
from knowledge.text import fold

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ROOT = Path(__file__).resolve().parent.parent

# Every unit of both maps holds facts: former districts and provinces for five years before the
# 2025 reorganisation, current wards and provinces for 2025 and 2026; about 100,000 in all.
FORMER_YEARS = (2019, 2020, 2021, 2022, 2023)
CURRENT_YEARS = (2025, 2026)
METRICS_PER_LEVEL = {"district": 14, "former province": 20, "ward": 7, "province": 30}
_CHILD = """
import json, resource, sys, time
t = time.perf_counter()
from pathlib import Path
from bot.library import load_cached
from knowledge import answer
kb = load_cached(Path(sys.argv[1]) if sys.argv[1] else None, Path(sys.argv[2]))
answer("Hoàng Mai thu ngân sách 2022", kb)
print(json.dumps({"startup_s": time.perf_counter() - t, "facts": len(kb.facts),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def questions_for(kb: KnowledgeBase, limit: int = 400) -> list[str]:
    """A mix of questions as officials type them: accented, accent-free, unknown, off-topic."""
    out: list[str] = []
    for fact in kb.facts[:: max(1, len(kb.facts) // (limit // 2))]:
        label = kb.metrics[fact.metric].label
        out.append(f"{fact.place.name} {label} {fact.year}")
        out.append(fold(f"{fact.place.short} {label}"))
    out += ["Quận 10 thu ngân sách 2023", "Huyện Châu Thành có bao nhiêu đảng viên",
            "quận nào thu ngân sách cao nhất", "Phường Vĩnh Tuy thu ngân sách 2022", "xin chào"]
    return out[:limit]


def measure_latency(kb: KnowledgeBase, questions: list[str], rounds: int) -> dict[str, float]:
    """Per-question latency percentiles (ms) and questions per second, one core.

    Besides the elapsed time, the CPU time of each answer is kept: on a busy machine the
    elapsed p99 measures the other processes as much as the engine.
    """
    settle()
    for q in questions[:20]:
        answer(q, kb)
    samples, cpu = [], []
    started = time.perf_counter()
    for _ in range(rounds):
        for q in questions:
            t, c = time.perf_counter_ns(), time.thread_time_ns()
            answer(q, kb)
            samples.append((time.perf_counter_ns() - t) / 1e6)
            cpu.append((time.thread_time_ns() - c) / 1e6)
    elapsed = time.perf_counter() - started
    samples.sort()
    cpu.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[int(len(samples) * 0.99) - 1],
        "cpu_p99_ms": cpu[int(len(cpu) * 0.99) - 1],
        "questions_per_s": len(samples) / elapsed,
    }


def measure_startup(data_dir: Path | None) -> dict[str, float]:
    """Start-up time and peak memory of fresh processes that load the knowledge base.

    The first start compiles the knowledge base into an empty cache (``first_s``); the figures
    reported are those of the next start, which loads the cache as a restarted bot does.
    """
    # A deployed bot runs from compiled bytecode: compile it first, so that a stale or missing
    # __pycache__ (PYTHONDONTWRITEBYTECODE) is not measured as start-up.
    for package in ("bot", "knowledge"):
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory() as cache:
        args = [sys.executable, "-c", _CHILD, str(data_dir or ""), cache]
        first = json.loads(subprocess.run(args, capture_output=True, text=True,
                                          check=True).stdout)
        cached = json.loads(subprocess.run(args, capture_output=True, text=True,
                                           check=True).stdout)
    return {**cached, "first_s": first["startup_s"]}


def write_national_kb(seed: KnowledgeBase, target: Path) -> int:
    """Write a synthetic knowledge base with facts for every unit of both maps (one file each)."""
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("facts"))
    (target / "facts").mkdir()
    source = {"id": "synthetic", "title": "Báo cáo tổng hợp (dữ liệu giả lập)",
              "publisher": "benchmark", "date": dt.date(2026, 3, 1), "url": None}
    (target / "sources.yaml").write_text(yaml.safe_dump([source], allow_unicode=True),
                                         encoding="utf-8")
    metric_ids = list(seed.metrics)[:max(METRICS_PER_LEVEL.values())]
    metrics = {m: {"label": seed.metrics[m].label, "topic": seed.metrics[m].topic,
                   "synonyms": list(seed.metrics[m].synonyms)} for m in metric_ids}
    (target / "metrics.yaml").write_text(yaml.safe_dump(metrics, allow_unicode=True),
                                         encoding="utf-8")
    gazetteer = seed.gazetteer
    count = 0
    for n, place in enumerate((*gazetteer.districts.values(), *gazetteer.wards.values(),
                               *gazetteer.provinces.values())):
        current = place.level == "ward" or (place.level == "province" and place.current)
        level = place.level if current or place.level == "district" else "former province"
        facts = []
        for year in CURRENT_YEARS if current else FORMER_YEARS:
            for m, metric_id in enumerate(metric_ids[:METRICS_PER_LEVEL[level]]):
                value = format_vn_number((n * 37 + m * 11 + year) % 9000 + 0.5 * (m % 2))
                facts.append({"id": f"{place.key}-{year}-{metric_id}", "year": year,
                              "kind": "result", "metric": metric_id, "value": value,
                              "unit": "đơn vị", "percent": format_vn_number(90 + m % 20)})
        count += len(facts)
        province = {} if place.level == "province" else {"province": place.province}
        doc = {"source": "synthetic", "unit": place.name, **province, "facts": facts}
        (target / "facts" / f"{place.key}.yaml").write_text(
            yaml.dump(doc, Dumper=_DUMPER, allow_unicode=True, sort_keys=False),
            encoding="utf-8")
    return count


def _report(name: str, startup: dict[str, float], latency: dict[str, float]) -> None:
    print(f"{name}: {startup['facts']:,} facts | start-up {startup['startup_s']:.3f} s "
          f"(first start, compiling the cache: {startup['first_s']:.3f} s) | "
          f"peak memory {startup['peak_mib']:.0f} MiB | latency p50 {latency['p50_ms']:.3f} ms, "
          f"p99 {latency['p99_ms']:.3f} ms (CPU time p99 {latency['cpu_p99_ms']:.3f} ms) | "
          f"{latency['questions_per_s']:,.0f} questions/s",
          flush=True)


def run_benchmarks(quick: bool = False) -> None:
    """Print the figures for the seed and the national-scale knowledge bases."""
    rounds = 3 if quick else 20
    seed = load_knowledge_base()
    _report("seed", measure_startup(None),
            measure_latency(seed, questions_for(seed), rounds))
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "data"
        written = write_national_kb(seed, target)
        print(f"national: wrote {written:,} synthetic facts to {target}", flush=True)
        startup = measure_startup(target)
        national = load_knowledge_base(target)
        _report("national", startup,
                measure_latency(national, questions_for(national), max(1, rounds // 4)))
