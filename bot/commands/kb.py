"""``intake kb check|search|gaps``: validate the guides, try the matcher, see what is missing."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.app import kb_embedder, open_database
from bot.errors import UserFacingError
from bot.settings import Settings, load_settings
from intake.extract import what_is_wrong
from intake.guides import GuideSearch
from intake.inbound import as_stored
from knowledge.embeddings import GuideVectors, guide_index
from knowledge.gaps import format_gaps, group_gaps
from knowledge.loader import KB_DIR_ENV, FolderError, LoadResult, configured_kb_dir, load_folder
from storage.unit_of_work import UnitOfWork


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    kb = subparsers.add_parser("kb", help="check and search the knowledge-base guides")
    commands = kb.add_subparsers(dest="kb_command", required=True, metavar="KB_COMMAND")

    check = commands.add_parser("check", help="report every problem in a guides folder")
    check.add_argument(
        "dir", nargs="?", metavar="DIR", help=f"guides folder (default: ${KB_DIR_ENV} or bundled)"
    )
    add_kb_dir_option(check)  # as every other command takes it
    check.set_defaults(handler=run_check)

    search = commands.add_parser("search", help="show the guides a problem description matches")
    search.add_argument("query", nargs="?", metavar="QUERY", help="the customer's own words")
    add_kb_dir_option(search)
    search.add_argument("-k", type=_positive, default=3, metavar="N", help="at most N matches")
    search.add_argument("--json", action="store_true", help="print one JSON line")
    search.add_argument(
        "--batch", action="store_true", help='read {"query": ...} JSON lines from stdin'
    )
    search.set_defaults(handler=run_search)

    gaps = commands.add_parser(
        "gaps", help="the most frequent problems no guide solved, and the deflection rate"
    )
    gaps.add_argument("--top", type=_positive, default=20, metavar="N", help="show N groups")
    gaps.set_defaults(handler=run_gaps)


def run_gaps(args: argparse.Namespace) -> int:
    engine, sessions = open_database(load_settings(), existing=True)
    with UnitOfWork(sessions, read_only=True) as uow:
        texts = uow.conversations.gaps()
        outcomes = uow.conversations.outcomes()
    engine.dispose()
    report = format_gaps(
        group_gaps(texts), sum(outcomes.values()), outcomes.get("self_served", 0), args.top
    )
    print(report)
    return 0


def add_kb_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kb-dir", metavar="DIR", help=f"guides folder (default: ${KB_DIR_ENV} or bundled)"
    )


def with_kb_dir(settings: Settings, kb_dir: str | None) -> Settings:
    """``--kb-dir`` wins over ``INTAKE_KB_DIR``."""
    return settings.model_copy(update={"kb_dir": Path(kb_dir)}) if kb_dir else settings


def run_check(args: argparse.Namespace) -> int:
    if args.dir and args.kb_dir and args.dir != args.kb_dir:
        raise UserFacingError("give the guides folder once: as DIR or as --kb-dir")
    folder = configured_kb_dir(args.dir or args.kb_dir)
    result = _load(folder)
    for note in result.notes:
        print(f"note: {note}")
    # Each file's problems together, in the order of its lines.
    for problem in sorted(result.problems, key=lambda problem: (problem.file, problem.line)):
        print(problem)
    if result.problems:
        print(f"{len(result.problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"{folder}: {len(result.guides)} guides, no problems")
    return 0


def run_search(args: argparse.Namespace) -> int:
    if args.batch == (args.query is not None):
        raise UserFacingError("give either a QUERY or --batch (queries as JSON lines on stdin)")
    if not args.batch and not args.query.strip():
        raise UserFacingError("the query is empty: describe the problem in a few words")
    folder = configured_kb_dir(args.kb_dir)
    result = _load(folder)
    if result.problems:
        print(
            f"intake: {len(result.problems)} problem(s) in {folder}, searching the "
            f"{len(result.guides)} guides that loaded (see: intake kb check {folder})",
            file=sys.stderr,
        )
    # The same matcher the bot uses, embeddings included when INTAKE_KB_EMBEDDINGS is on.
    embedder = kb_embedder(load_settings().kb_embeddings)
    index = guide_index(result.guides, GuideVectors(embedder) if embedder else None)
    if args.batch:
        return _search_batch(index, args.k)
    if args.json:
        print(json.dumps(_answer(index, args.query, args.k)))
        return 0
    matches = index.search(as_the_bot_reads(args.query), limit=args.k)
    if not matches:
        print("No guide found.")
    for rank, match in enumerate(matches, start=1):
        print(f"{rank}. {match.title}  [{match.id}, {match.score:.2f}]\n   {match.excerpt}")
    return 0


def _search_batch(index: GuideSearch, limit: int) -> int:
    """One JSON line out per line in; a bad line gets an ``error`` so outputs stay aligned."""
    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            query = json.loads(line)["query"]
            if not isinstance(query, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            bad += 1
            error = f'line {number}: expected a JSON object like {{"query": "..."}}'
            print(json.dumps({"query": None, "matches": [], "error": error}), flush=True)
            continue
        print(json.dumps(_answer(index, query, limit)), flush=True)
    if bad:
        print(f"intake: {bad} input line(s) were not queries", file=sys.stderr)
    return 1 if bad else 0


def as_the_bot_reads(query: str) -> str:
    """The words the bot searches the guides with for a customer's message: cleaned and
    with secrets removed (as the service stores it), then without greetings, system details
    and the clauses around a secret (as the intake asks the guides). So ``kb search`` shows
    what the bot would offer."""
    return what_is_wrong(as_stored(query).text)


def _answer(index: GuideSearch, query: str, limit: int) -> dict[str, Any]:
    matches = index.search(as_the_bot_reads(query), limit=limit)
    return {
        "query": query,
        "matches": [{"id": m.id, "title": m.title, "score": m.score} for m in matches],
    }


def _load(folder: Path) -> LoadResult:
    try:
        return load_folder(folder)
    except FolderError as error:
        raise UserFacingError(f"{error} (set --kb-dir or ${KB_DIR_ENV})") from error


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value
