"""Sub-commands of ``intake``. Each module exposes ``register(subparsers)``.

``register`` adds its parser and sets ``handler=<function(args) -> exit code>`` as a default.
"""

from types import ModuleType

from bot.commands import chat, db, hours, kb, serve, tickets

COMMANDS: tuple[ModuleType, ...] = (chat, tickets, hours, db, serve, kb)
