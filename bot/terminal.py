"""Reading chat messages from a terminal the way a person types and pastes them.

A terminal in its usual (canonical) mode hands over one line at a time and drops whatever
goes past 4,095 characters on a line, so a long pasted story was cut without a word, and the
last line of a paste without a final newline waited for Enter and went out as the next
message. Here the terminal is read byte by byte with echo done by the chat itself, and the
terminal is asked to mark pastes (bracketed paste): everything pasted belongs to the message
being written, which Enter sends. Terminals that don't mark pastes deliver them at once, so
a newline followed at once by more text is part of the message, not its end.
"""

import asyncio
import codecs
import os
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_PASTE_START = "\x1b[200~"
_PASTE_END = "\x1b[201~"
_BRACKETED_PASTE_ON = "\x1b[?2004h"
_BRACKETED_PASTE_OFF = "\x1b[?2004l"
_ERASE = {"\x7f", "\x08"}
_END_OF_INPUT = "\x04"  # Ctrl-D
_KILL_LINE = "\x15"  # Ctrl-U
# A newline followed this soon by more input was pasted, not typed as Enter.
PASTE_GAP = 0.05


@contextmanager
def typing_mode(fd: int, output: TextIO) -> Iterator["TerminalLines"]:
    """The terminal without line buffering and echo, restored however the chat ends."""
    saved = termios.tcgetattr(fd)
    changed = termios.tcgetattr(fd)
    changed[3] &= ~(termios.ICANON | termios.ECHO)
    changed[6][termios.VMIN], changed[6][termios.VTIME] = 1, 0
    termios.tcsetattr(fd, termios.TCSANOW, changed)
    output.write(_BRACKETED_PASTE_ON)
    output.flush()
    try:
        yield TerminalLines(fd, output)
    finally:
        output.write(_BRACKETED_PASTE_OFF)
        output.flush()
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class _InputEnded(Exception):
    """Ctrl-D on an empty message."""


class TerminalLines:
    def __init__(self, fd: int, output: TextIO) -> None:
        self._fd = fd
        self._output = output
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""
        self._pasting = False

    async def read(self) -> str | None:
        """The next message; None when the input ends (Ctrl-D on an empty message)."""
        message: list[str] = []
        try:
            while True:
                if not self._pending:
                    chunk = await self._next_input(None)
                    if chunk is None:
                        return "".join(message) or None
                    self._pending = chunk
                sent = await self._take(message)
                if sent is not None:
                    return sent
        except _InputEnded:
            return None

    async def _take(self, message: list[str]) -> str | None:
        """Apply the pending input to ``message``: the message once Enter sends it, else None
        to read on."""
        while self._pending:
            if self._pending.startswith(_PASTE_START):
                self._pending, self._pasting = self._pending[len(_PASTE_START) :], True
                continue
            if self._pending.startswith(_PASTE_END):
                self._pending, self._pasting = self._pending[len(_PASTE_END) :], False
                continue
            char, self._pending = self._pending[0], self._pending[1:]
            if char in "\r\n":
                if self._pasting or self._pending or await self._more_follows():
                    message.append("\n")
                    self._echo("\r\n")
                    continue
                self._echo("\r\n")
                return "".join(message)
            if self._pasting:
                message.append(char)
                self._echo(char)
            elif char in _ERASE and message:
                message.pop()
                self._echo("\b \b")
            elif char == _KILL_LINE:
                self._echo("\b \b" * len(message))
                message.clear()
            elif char == _END_OF_INPUT and not message:
                raise _InputEnded
            elif char == "\x1b":
                self._skip_escape()
            elif char.isprintable() or char == "\t":
                message.append(char)
                self._echo(char)
        return None

    async def _more_follows(self) -> bool:
        """Whether more input comes right after a newline: the rest of an unmarked paste."""
        chunk = await self._next_input(PASTE_GAP)
        if not chunk:
            return False
        self._pending += chunk
        return True

    def _skip_escape(self) -> None:
        """Drop a key's escape sequence (arrows, function keys): this is no line editor."""
        if self._pending.startswith("["):
            for index, char in enumerate(self._pending[1:], start=1):
                if "@" <= char <= "~":
                    self._pending = self._pending[index + 1 :]
                    return
            self._pending = ""

    def _echo(self, text: str) -> None:
        self._output.write(text)
        self._output.flush()

    async def _next_input(self, timeout: float | None) -> str | None:
        """Decoded input once the terminal has some; "" after ``timeout``, None at its end."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(self._fd, readable)
        try:
            await asyncio.wait_for(ready, timeout)
        except TimeoutError:
            return ""
        finally:
            loop.remove_reader(self._fd)
        data = os.read(self._fd, 65536)
        if not data:
            return None
        return self._decoder.decode(data)
