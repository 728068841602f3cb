import os
import threading
from pathlib import Path

import pytest

from knowledge.guide import DEFAULT_CATEGORIES
from knowledge.loader import (
    FolderError,
    LoadResult,
    configured_kb_dir,
    default_kb_dir,
    load_folder,
)


def write(folder: Path, name: str, text: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def guide(title: str, body: str = "1. Do it.") -> str:
    return f"---\ntitle: {title}\n---\n{body}\n"


def test_the_bundled_guides_are_clean_and_cover_every_kind_of_help() -> None:
    result = load_folder(default_kb_dir())

    assert [str(problem) for problem in result.problems] == []
    assert len(result.guides) >= 30
    assert {g.category for g in result.guides} == DEFAULT_CATEGORIES
    assert all("1. " in g.body for g in result.guides), "every guide has numbered steps"


def test_every_problem_in_a_folder_is_reported_in_one_run(tmp_path: Path) -> None:
    write(tmp_path, "good.md", guide("Good", "See [missing](nowhere.md)."))
    write(tmp_path, "same-title.md", guide("good"))
    write(tmp_path, "sub/good.md", guide("Another"))
    write(tmp_path, "latin1.md", "---\ntitle: Caf\xe9\n---\nx".encode("latin-1"))
    write(tmp_path, "export.md", guide("Export", "row;" * 300_000))  # a log saved as .md
    write(tmp_path, "notes.txt", "not a guide")
    write(tmp_path, ".hidden.md.swp", "editor swap file")

    result = load_folder(tmp_path)

    assert [g.id for g in result.guides] == ["good"]
    problems = sorted(str(p).removeprefix(f"{tmp_path}/") for p in result.problems)
    assert problems == [
        "export.md: too large (1,200,023 bytes); a guide is at most 1 MB; this file is skipped",
        "good.md:4: link to a guide that does not exist: nowhere.md",
        "latin1.md:2: not UTF-8 text (byte 0xe9); save it as UTF-8; this file is skipped",
        f"same-title.md:1: duplicate title 'good', already used by {tmp_path}/good.md; "
        "this file is skipped",
        f"sub/good.md:1: duplicate id 'good', already used by {tmp_path}/good.md; "
        "this file is skipped",
    ]
    assert result.notes == (f"{tmp_path}/notes.txt: ignored, not a markdown (.md) file",)


def test_an_empty_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    result = load_folder(tmp_path)

    assert [str(p) for p in result.problems] == [f"{tmp_path}: no guides here (no .md files)"]


def test_a_missing_folder_raises_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FolderError, match="no such folder"):
        load_folder(tmp_path / "nope")


def test_the_folder_comes_from_the_argument_then_the_environment_then_the_bundle(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("INTAKE_KB_DIR", raising=False)
    assert configured_kb_dir() == default_kb_dir()
    monkeypatch.setenv("INTAKE_KB_DIR", str(tmp_path))
    assert configured_kb_dir() == tmp_path
    assert configured_kb_dir("elsewhere") == Path("elsewhere")


def test_a_file_with_problems_still_takes_part_in_the_folder_checks(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: Refund\ncategory: nope\n---\nSee [x](gone.md).\n")
    write(tmp_path, "b.md", guide("refund", "Back to [a](a.md)."))
    write(tmp_path, "c.md", guide("Refund"))
    write(tmp_path, "sub/a.md", "---\ntitle: [broken\n---\nAlso [x](gone.md).\n")

    result = load_folder(tmp_path)

    # b is served (its twin a is left out for its own problem); c duplicates b, so it is not.
    assert [g.id for g in result.guides] == ["b"]
    problems = sorted(str(p).removeprefix(f"{tmp_path}/") for p in result.problems)
    assert problems == [
        "a.md:3: unknown category 'nope' (use one of: bug-fix, installation-setup, "
        "technical-assistance, troubleshooting); this file is skipped",
        "a.md:5: link to a guide that does not exist: gone.md",
        f"b.md:1: duplicate title 'refund', already used by {tmp_path}/a.md",
        "b.md:4: link to a guide that is left out for its own problems: a.md",
        f"c.md:1: duplicate title 'Refund', already used by {tmp_path}/b.md; this file is skipped",
        f"sub/a.md:1: duplicate id 'a', already used by {tmp_path}/a.md",
        "sub/a.md:2: front matter is not valid YAML: expected ',' or ']', but got '<stream end>'; "
        "this file is skipped",
        "sub/a.md:4: link to a guide that does not exist: gone.md",
    ]


def test_a_category_that_is_not_a_word_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: A\ncategory: [bug-fix, troubleshooting]\n---\nx\n")

    result = load_folder(tmp_path)

    assert result.guides == ()
    assert [str(p).removeprefix(f"{tmp_path}/") for p in result.problems] == [
        "a.md:3: category must be one word (use one of: bug-fix, installation-setup, "
        "technical-assistance, troubleshooting); this file is skipped"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_like_a_guide_is_skipped_not_read(tmp_path: Path) -> None:
    (tmp_path / "refunds.md").write_text("---\ntitle: Refund an order\n---\nClick Refund.\n")
    pipe = tmp_path / "stuck.md"
    os.mkfifo(pipe)  # reading it would wait forever for a writer
    loaded: list[LoadResult] = []
    loader = threading.Thread(target=lambda: loaded.append(load_folder(tmp_path)), daemon=True)

    loader.start()
    loader.join(timeout=10)

    if loader.is_alive():  # stuck reading the pipe: give it an end so the suite goes on
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("the loader read the named pipe")
    [result] = loaded
    assert [guide.id for guide in result.guides] == ["refunds"]
    assert any("stuck.md: ignored, not a regular file" in note for note in result.notes)


def test_of_two_guides_with_one_title_the_one_written_first_is_served(tmp_path: Path) -> None:
    first, copy = tmp_path / "refunds.md", tmp_path / "aaa-draft.md"  # the copy sorts first
    first.write_text("---\ntitle: Refund an order\n---\nClick Refund.\n")
    copy.write_text("---\ntitle: Refund an order\n---\nSomething else.\n")
    os.utime(first, ns=(1_700_000_000_000_000_000,) * 2)
    os.utime(copy, ns=(1_700_000_100_000_000_000,) * 2)

    result = load_folder(tmp_path)

    assert [guide.id for guide in result.guides] == ["refunds"]
    assert [p.file for p in result.problems] == [str(copy)]
