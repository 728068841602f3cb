"""Index build time, query latency and memory at 100, 1,000 and 10,000 guides.

Run: ``.venv/bin/python -m bench.kb_bench [--sizes 100 1000 10000] [--queries 300]
[--embeddings]``

``--embeddings`` (needs the ``embeddings`` extra) measures the blended matcher instead; its
build includes encoding every guide, and memory is not traced (torch allocates outside
Python's heap, so tracemalloc would not see it).

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
from intake.guides import GuideSearch
from knowledge.embeddings import BlendedGuideIndex, Embedder, GuideVectors, SentenceEmbedder
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


def measure(count: int, queries: Sequence[str], embedder: Embedder | None = None) -> str:
    guides = synthetic_guides(count)
    started = time.perf_counter()
    index: GuideSearch
    if embedder is None:
        index = GuideIndex(guides)
    else:
        index = BlendedGuideIndex(guides, GuideVectors(embedder))
    build = time.perf_counter() - started
    memory = ""
    if embedder is None:
        tracemalloc.start()  # traced separately: tracing slows the build several times over
        GuideIndex(guides)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        memory = f"  peak memory {peak / 2**20:6.1f} MiB"
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    return (
        f"{count:>6} guides  build {build:6.2f} s  p50 {cuts[49]:6.2f} ms  "
        f"p95 {cuts[94]:6.2f} ms{memory}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--embeddings", action="store_true", help="the blended matcher")
    args = parser.parse_args()
    queries = [case.query for case in load_cases()][: args.queries]
    embedder = None
    if args.embeddings:
        started = time.perf_counter()
        embedder = SentenceEmbedder()
        print(f"model loaded in {time.perf_counter() - started:.1f} s", flush=True)
    for count in args.sizes:
        print(measure(count, queries, embedder), flush=True)


if __name__ == "__main__":
    main()
