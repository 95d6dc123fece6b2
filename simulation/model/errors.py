"""The one kind of error bad input raises, whatever file or argument it came from."""

from __future__ import annotations

from collections.abc import Iterable


class InputError(ValueError):
    """Bad input: one line per problem, each naming the file (or argument) and the key.

    Parameters
    ----------
    errors : str or iterable of str
        One problem, or several; each is one line of the message.
    """

    def __init__(self, errors: str | Iterable[str]) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))
