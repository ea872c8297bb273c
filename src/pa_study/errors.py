"""The one exception type the pipeline raises for bad input, and how it is shown to a user."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a file, row, column or config value that is not what the pipeline expects.

    The message is the whole explanation a researcher sees (the CLI prints it without a traceback),
    so it names the file, the row or column, what was found and what was expected.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    path : str, optional
        The file the problem is in.
    row : int, optional
        The row as the researcher sees it in the file (spreadsheet row or case number).
    column : str, optional
        The column (raw header or canonical name).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        self.detail = message
        super().__init__(_compose(message, path, row, column))


def _compose(message: str, path: str | None, row: int | None, column: str | None) -> str:
    where = []
    if path is not None:
        where.append(str(path))
    if row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f"column '{column}'")
    return f"{', '.join(where)}: {message}" if where else message
