import itertools
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.live import LiveGuideIndex

_clock = itertools.count(1_700_000_000_000_000_000, 1_000_000_000)


def write(path: Path, text: str) -> None:
    """Write and give the file a fresh mtime, as an editor saving seconds later would."""
    path.write_text(text, encoding="utf-8")
    stamp = next(_clock)
    os.utime(path, ns=(stamp, stamp))


def guide(title: str, body: str) -> str:
    return f"---\ntitle: {title}\n---\n{body}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path / "refunds.md", guide("Refund an order", "1. Open the order, click Refund."))
    return tmp_path


@pytest.fixture
def live(folder: Path) -> Iterator[LiveGuideIndex]:
    index = LiveGuideIndex(folder)
    yield index
    index.stop()


def ids(live: LiveGuideIndex, query: str) -> list[str]:
    return [match.id for match in live.search(query)]


def test_added_edited_and_removed_guides_are_picked_up(live: LiveGuideIndex, folder: Path) -> None:
    assert ids(live, "refund an order") == ["refunds"]

    write(folder / "paypal.md", guide("Set up PayPal", "1. Connect PayPal in settings."))
    assert live.reload_now() is not None
    assert ids(live, "paypal setup") == ["paypal"]

    write(folder / "paypal.md", guide("Connect Klarna", "1. Connect Klarna in settings."))
    live.reload_now()
    assert ids(live, "klarna") == ["paypal"]
    assert ids(live, "paypal setup") == []

    (folder / "paypal.md").unlink()
    live.reload_now()
    assert ids(live, "klarna") == []


def test_nothing_is_rebuilt_when_nothing_changed(live: LiveGuideIndex) -> None:
    assert live.reload_now() is None


def test_a_broken_edit_keeps_the_last_good_version_and_logs_where(
    live: LiveGuideIndex, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="knowledge.live")
    write(folder / "refunds.md", "---\ntitle: [unclosed\n---\nbody\n")

    live.reload_now()

    assert ids(live, "refund an order") == ["refunds"]
    assert f"{folder / 'refunds.md'}:2: front matter is not valid YAML" in caplog.text


def test_a_new_broken_file_is_left_out_until_fixed(live: LiveGuideIndex, folder: Path) -> None:
    write(folder / "taxes.md", "---\ncategory: nope\n---\nSet up VAT.\n")
    live.reload_now()
    assert ids(live, "set up vat") == []

    write(folder / "taxes.md", guide("Set up VAT", "1. Add your VAT number."))
    live.reload_now()
    assert ids(live, "set up vat") == ["taxes"]


def test_a_new_file_with_a_served_guides_title_does_not_replace_it(
    live: LiveGuideIndex, folder: Path
) -> None:
    copy = folder / "aaa-refunds.md"  # sorts first, yet the guide already served stays
    write(copy, guide("Refund an order", "1. Something else entirely."))
    result = live.reload_now()
    assert result is not None and ids(live, "refund an order") == ["refunds"]
    assert [(p.file, p.message) for p in result.problems] == [
        (
            str(copy),
            f"duplicate title 'Refund an order', already used by {folder / 'refunds.md'}; "
            "this file is skipped",
        )
    ]


def test_after_a_restart_the_established_guide_still_wins_its_title(folder: Path) -> None:
    write(folder / "aaa-refunds.md", guide("Refund an order", "1. Something else entirely."))
    restarted = LiveGuideIndex(folder)  # both files new to it: the one written first stays
    assert ids(restarted, "refund an order") == ["refunds"]


def test_a_vanished_folder_keeps_serving_what_loaded_and_says_so_once(
    live: LiveGuideIndex, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (folder / "refunds.md").unlink()
    folder.rmdir()

    assert live.reload_now() is None
    assert live.reload_now() is None  # the next poll: nothing new to say
    assert ids(live, "refund an order") == ["refunds"]
    assert caplog.text.count("no such folder") == 1

    folder.mkdir()
    write(folder / "refunds.md", guide("Refund an order", "1. Open the order, click Refund."))
    with caplog.at_level(logging.INFO):
        live.reload_now()
    assert "usable again" in caplog.text


def test_a_folder_without_guides_is_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        LiveGuideIndex(tmp_path)
    assert f"no guides to offer in {tmp_path}" in caplog.text


def test_a_missing_folder_at_start_serves_nothing_until_it_appears(tmp_path: Path) -> None:
    live = LiveGuideIndex(tmp_path / "later")
    assert live.search("refund") == []

    (tmp_path / "later").mkdir()
    write(tmp_path / "later" / "refunds.md", guide("Refund an order", "1. Click Refund."))
    live.reload_now()
    assert ids(live, "refund an order") == ["refunds"]


def test_the_poller_serves_a_new_guide_without_a_restart(folder: Path) -> None:
    live = LiveGuideIndex(folder, poll_seconds=0.01)
    live.start()
    live.start()  # a second start is harmless
    write(folder / "paypal.md", guide("Set up PayPal", "1. Open Payments, choose PayPal."))
    deadline = time.monotonic() + 10
    while ids(live, "set up paypal") != ["paypal"] and time.monotonic() < deadline:
        time.sleep(0.01)  # the poller's own pace; no reload_now() here
    try:
        assert ids(live, "set up paypal") == ["paypal"]
    finally:
        live.stop()
