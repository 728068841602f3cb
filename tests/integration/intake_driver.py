"""Driving the real service the way an adapter does, for storage and relay tests."""

import itertools
from datetime import UTC, datetime, timedelta

from bot.app import App, build_app
from bot.settings import Settings
from intake.addresses import Address, Person
from intake.inbound import CustomerMessage, TeamMessage
from intake.tickets import TranscriptLine
from storage.inbox import InboxEvent
from storage.unit_of_work import UnitOfWork

# Thursday 2026-11-26, 11:00 in Toronto: support is open.
OPEN_TIME = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)

FULL_INTAKE = [
    "Hi, customers get an error when they pay with PayPal at checkout",
    "no",
    'The page says "PAYMENT_FAILED: gateway timeout (code 504)"',
    "Open the store, add any product to the cart, click Checkout, choose PayPal, approve",
    "Pro plan, hosted by MyCartPro, Chrome 131 on Windows 11, PayPal Checkout integration",
    "yes",
    "send",
]

# The problem the ticket keeps from FULL_INTAKE[0]: its words without the greeting.
FULL_INTAKE_PROBLEM = "Customers get an error when they pay with PayPal at checkout"

_ids = itertools.count(1)


def make_app(database_url: str, team: str | None = None, **settings: object) -> App:
    values: dict[str, object] = {"INTAKE_DATABASE_URL": database_url, **settings}
    if team:
        values["INTAKE_TEAM_CHANNEL"] = team
    return build_app(Settings.model_validate(values))


class Customer:
    def __init__(
        self, app: App, name: str = "Dana", platform: str = "console", start: datetime = OPEN_TIME
    ) -> None:
        self.app = app
        self.person = Person(platform=platform, user_id=f"id-{name}", display_name=name)
        self.address = Address(platform=platform, channel=f"dm-{name}")
        self.clock = start

    def message(self, text: str, message_id: str | None = None) -> CustomerMessage:
        self.clock += timedelta(seconds=30)
        return CustomerMessage(
            message_id=message_id or f"m{next(_ids)}",
            author=self.person,
            address=self.address,
            text=text,
            at=self.clock,
        )

    def say(self, text: str, message_id: str | None = None) -> bool:
        return self.app.service.handle_customer(self.message(text, message_id))

    def transcript(self) -> list[TranscriptLine]:
        """Every line of this customer's unfinished conversation, in order."""
        with UnitOfWork(self.app.sessions) as uow:
            _, found = uow.conversations.locate(self.person, self.address, self.clock)
            assert found is not None, "no conversation"
            return uow.conversations.transcript(found[0])

    def intake(self, messages: list[str] = FULL_INTAKE) -> None:
        for text in messages:
            assert self.say(text)


def inbox_event(message: CustomerMessage) -> InboxEvent:
    """The message as an adapter stores it in the inbox, its conversation as ordering key."""
    return InboxEvent(
        platform=message.address.platform,
        message_id=message.message_id,
        ordering_key=message.address.key,
        payload=message.model_dump(mode="json"),
        at=message.at,
    )


def team_message(
    app: App, thread: Address, text: str, agent: str = "Sam", is_agent: bool = True
) -> bool:
    return app.service.handle_team(
        TeamMessage(
            message_id=f"t{next(_ids)}",
            author=Person(platform=thread.platform, user_id=f"agent-{agent}", display_name=agent),
            address=thread,
            text=text,
            at=OPEN_TIME + timedelta(hours=1),
            is_agent=is_agent,
        )
    )
