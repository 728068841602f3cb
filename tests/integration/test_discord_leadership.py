"""Several instances, one Discord gateway session: a standby takes over when the holder stops."""

from bot.app import build_app
from bot.settings import Settings
from tests.fakes.discord_api import FakeDiscord
from tests.integration.conftest import quick_discord_platform

IDENTIFY = 2


async def test_only_the_lease_holder_connects_and_a_standby_takes_over(
    discord_fake: FakeDiscord, discord_settings: Settings, postgres_url: str
) -> None:
    settings = discord_settings.model_copy(update={"database_url": postgres_url})
    first_app, second_app = build_app(settings), build_app(settings)
    first, second = (
        quick_discord_platform(settings, app, lease_poll_seconds=0.1)
        for app in (first_app, second_app)
    )
    try:
        await first.start(first_app.relay({"discord": first.sender}))
        await second.start(second_app.relay({"discord": second.sender}))
        assert discord_fake.count_op(IDENTIFY) == 1
        assert first.ready() and second.ready()  # the standby can still send over REST
        await first.stop()  # the holder goes away: its lease is released with it
        await discord_fake.wait_for_op(IDENTIFY, 2, timeout=5)
        assert discord_fake.count_op(IDENTIFY) == 2
    finally:
        await first.stop()
        await second.stop()
        first_app.close()
        second_app.close()
