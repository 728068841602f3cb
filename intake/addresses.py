"""Where a message goes, on any platform: the same shape for Slack, Discord and the terminal."""

from pydantic import BaseModel, ConfigDict, Field


class Address(BaseModel):
    """A place to post: a DM or channel, optionally a thread in it.

    ``channel`` is the platform's channel id (a Slack ``D…``/``C…`` id, a Discord channel
    snowflake, or the terminal user's name); ``thread`` is the Slack thread ``ts`` or the
    Discord thread id when the conversation lives in a thread.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: str = Field(pattern=r"^[a-z]+$")
    channel: str = Field(min_length=1)
    thread: str | None = None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.channel}:{self.thread or ''}"


class Person(BaseModel):
    """Someone writing on a platform: a customer, or an agent in a team thread."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: str
    user_id: str
    display_name: str
