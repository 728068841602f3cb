"""The terminal chat: the same intake as Slack and Discord, one line (or one paste) per message."""

import asyncio
import os
import sys
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from bot.app import App
from intake.addresses import Address, Person
from intake.inbound import CustomerMessage
from intake.outgoing import Outgoing

PLATFORM = "console"
# Lines that reach the terminal this close together were pasted at once, not typed.
_PASTE_GAP = 0.05


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
    interactive = source.isatty()
    await relay.drain()
    while True:
        if interactive:
            print("you> ", end="", file=output, flush=True)
        line = await _read_line(source, interactive)
        if not line:
            break
        if not interactive:  # piped input: show what was said, so the output reads as a chat
            print(f"you> {line.rstrip()}", file=output, flush=True)
        message = CustomerMessage(
            message_id=uuid.uuid4().hex,
            author=person,
            address=address,
            text=line.rstrip("\n"),
            at=clock(),
        )
        await asyncio.to_thread(app.service.handle_customer, message)
        await relay.drain()


async def _read_line(source: TextIO, interactive: bool) -> str:
    """The next message, or ``""`` at the end of the input.

    A terminal is read when the event loop sees it ready, never by a thread blocked in
    ``readline``: ``asyncio.run`` waits for its threads before it lets Ctrl-C end the program,
    so a blocked reader kept the chat open until Ctrl-D. A terminal hands over one line per
    read, so the lines of a paste (a stack trace, a config file) that follow within
    ``_PASTE_GAP`` are read as the same message. Piped input is read in a thread, a line per
    message: it ends on its own.
    """
    if interactive:
        fd = source.fileno()
        try:
            data = await _read_when_ready(fd, None)
        except NotImplementedError:  # an event loop that cannot watch a terminal (Windows)
            pass
        else:
            while data and (more := await _read_when_ready(fd, _PASTE_GAP)):
                data += more
            return data.decode(source.encoding or "utf-8", errors="replace")
    return await asyncio.to_thread(source.readline)


async def _read_when_ready(fd: int, timeout: float | None) -> bytes:
    """What the terminal has once it is readable; ``b""`` at its end or after ``timeout``."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await asyncio.wait_for(ready, timeout)
    except TimeoutError:
        return b""
    finally:
        loop.remove_reader(fd)
    return os.read(fd, 65536)
