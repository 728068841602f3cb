"""Errors that end a command with one clear line instead of a traceback."""


class UserFacingError(Exception):
    """A problem the person running ``intake`` can fix: bad config, missing file, bad argument.

    The CLI prints ``str(error)`` on one line to stderr and exits with ``exit_code``.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
