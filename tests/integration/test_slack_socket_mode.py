"""Socket Mode: the same bot over a websocket (no public URL), with the same dedupe."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.fakes.slack_api import FakeSlack, event_envelope, message_event
from tests.integration.test_slack_adapter import (
    CUSTOMER,
    DESCRIPTION,
    DM,
    next_ts,
    running,
    settings_for,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        slack.add_user(CUSTOMER, "Priya Patel")
        yield slack


def envelope(envelope_id: str, event: dict[str, object], retry: int = 0) -> dict[str, object]:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "payload": event_envelope(event, "Ev0SOCKET"),
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
    }


async def test_socket_mode_receives_events_acks_them_and_dedupes(
    tmp_path: Path, fake: FakeSlack
) -> None:
    settings = settings_for(
        tmp_path, fake, slack_app_token=SecretStr("xapp-1-test"), slack_signing_secret=None
    )
    async with running(settings, fake) as slack:
        [opened] = fake.calls("apps.connections.open")
        assert opened.token == "xapp-1-test"
        async with slack.http.post(f"{slack.url}/slack/events", data="{}") as response:
            assert response.status == 404, "no signing secret: no unsigned HTTP endpoint"

        event = message_event(DM, CUSTOMER, DESCRIPTION, next_ts())
        await fake.socket_send(envelope("e-1", event))
        await fake.wait_for_ack("e-1")
        [greeting] = await fake.wait_for("chat.postMessage", lambda c: c.args["channel"] == DM)
        assert "guides may solve it" in greeting.args["text"]

        await fake.socket_send(envelope("e-2", event, retry=1))
        await fake.wait_for_ack("e-2")
        await fake.socket_send(envelope("e-3", message_event(DM, CUSTOMER, "no", next_ts())))
        replies = await fake.wait_for(
            "chat.postMessage", lambda c: c.args["channel"] == DM, count=2
        )
        assert "exact error" in replies[1].args["text"]
        assert len(fake.posts(DM)) == 2
