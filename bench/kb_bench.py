"""Index build time, query latency and memory at 100, 1,000 and 10,000 guides.

Run: ``.venv/bin/python -m bench.kb_bench [--sizes 100 1000 10000] [--queries 300]``

Synthetic guides are sampled from the bundled guides' own sentences and vocabulary, so term
statistics look like a real knowledge base; queries come from ``bench/kb_eval.jsonl``.
Memory is the peak traced by tracemalloc while building (index plus build garbage).
"""

import argparse
import random
import statistics
import time
import tracemalloc
from collections.abc import Sequence

from bench.kb_eval import load_cases
from knowledge.guide import Guide
from knowledge.index import GuideIndex
from knowledge.loader import default_kb_dir, load_folder


def synthetic_guides(count: int, seed: int = 7) -> list[Guide]:
    rng = random.Random(seed)
    real = load_folder(default_kb_dir()).guides
    lines = [line for guide in real for line in guide.body.splitlines() if line.strip()]
    aliases = [alias for guide in real for alias in guide.aliases]
    tags = [tag for guide in real for tag in guide.tags]
    vocabulary = sorted({word for line in lines for word in line.split() if word.isalpha()})
    guides = []
    for number in range(count):
        title = " ".join(rng.sample(vocabulary, 4)).capitalize() + f" {number}"
        guides.append(
            Guide(
                id=f"guide-{number}",
                title=title,
                body="\n".join(rng.sample(lines, 12)),
                source=f"guide-{number}.md",
                body_line=6,
                category="troubleshooting",
                tags=tuple(rng.sample(tags, 4)),
                aliases=tuple(rng.sample(aliases, 5)),
            )
        )
    return guides


def measure(count: int, queries: Sequence[str]) -> str:
    guides = synthetic_guides(count)
    started = time.perf_counter()
    index = GuideIndex(guides)
    build = time.perf_counter() - started
    tracemalloc.start()  # traced separately: tracing slows the build several times over
    GuideIndex(guides)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    return (
        f"{count:>6} guides  build {build:6.2f} s  p50 {cuts[49]:6.2f} ms  "
        f"p95 {cuts[94]:6.2f} ms  peak memory {peak / 2**20:6.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    queries = [case.query for case in load_cases()][: args.queries]
    for count in args.sizes:
        print(measure(count, queries), flush=True)


if __name__ == "__main__":
    main()
