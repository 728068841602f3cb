"""The terminal chat: the same intake as Slack and Discord, one line (or one paste) per message."""

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TextIO

from bot.app import App
from intake.addresses import Address, Person
from intake.inbound import CustomerMessage
from intake.outgoing import Outgoing

PLATFORM = "console"


def render(message: Outgoing) -> str:
    """How a message looks in the terminal: who says it, the text, then any buttons."""
    speaker = f"{message.author} (support)" if message.author else "bot"
    lines = [f"{speaker}> {message.text}"]
    if message.choices:
        lines.append("    [" + "]  [".join(choice.label for choice in message.choices) + "]")
    return "\n".join(lines)


class ConsoleSender:
    """Prints what the relay delivers to the terminal user."""

    platform = PLATFORM

    def __init__(self, output: TextIO) -> None:
        self._output = output

    async def send(self, address: Address, message: Outgoing, key: str) -> str:
        print(render(message), file=self._output, flush=True)
        return key

    async def edit(self, address: Address, message_ref: str, message: Outgoing) -> None:
        await self.send(address, message, message_ref)


async def chat(
    app: App,
    user: str,
    clock: Callable[[], datetime],
    source: TextIO = sys.stdin,
    output: TextIO = sys.stdout,
) -> None:
    """Read lines until EOF; each is handled and answered before the next is read.

    Ctrl-C cancels the wait for the next line at once (``asyncio.run`` then raises
    ``KeyboardInterrupt``)."""
    relay = app.relay({PLATFORM: ConsoleSender(output)}, clock)
    person = Person(platform=PLATFORM, user_id=user, display_name=user)
    address = Address(platform=PLATFORM, channel=user)
    await relay.drain()
    async for line in _messages(source, output):
        message = CustomerMessage(
            message_id=uuid.uuid4().hex,
            author=person,
            address=address,
            text=line,
            at=clock(),
        )
        await asyncio.to_thread(app.service.handle_customer, message)
        await relay.drain()


async def _messages(source: TextIO, output: TextIO) -> AsyncIterator[str]:
    """Each message the user sends: typed or pasted at a terminal (``bot.terminal``), or a
    line of piped input, echoed so the output reads as a chat.

    The terminal is read when the event loop sees it ready, never by a thread blocked in
    ``readline``: ``asyncio.run`` waits for its threads before it lets Ctrl-C end the program,
    so a blocked reader kept the chat open until Ctrl-D. Piped input is read in a thread: it
    ends on its own.
    """
    interactive = source.isatty()
    if interactive and sys.platform != "win32":
        from bot.terminal import typing_mode

        with typing_mode(source.fileno(), output) as terminal:
            while True:
                print("you> ", end="", file=output, flush=True)
                typed = await terminal.read()
                if typed is None:
                    return
                if typed.strip():  # Enter on an empty line only asks for the prompt again
                    yield typed
    while True:
        if interactive:
            print("you> ", end="", file=output, flush=True)
        line = await asyncio.to_thread(source.readline)
        if not line:
            return
        if not interactive:
            print(f"you> {line.rstrip()}", file=output, flush=True)
        yield line.rstrip("\n")
