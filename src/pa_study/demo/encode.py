"""Turn semantic cells into the cells a county's file format holds, and name the columns.

Text formats (xlsx, CSV) hold yes/no as 是/否 and categories as their Chinese labels; Stata and
SPSS files hold yes/no as 1/0 and categories as the codebook's numeric codes, with value labels.
"""

from __future__ import annotations

from pa_study.demo._codebook import Variable
from pa_study.demo.profiles import FileSpec

TEXT_FORMATS = frozenset({"xlsx", "csv"})
YES, NO = "是", "否"


def is_text_format(file_format: str) -> bool:
    """Return whether cells of this format are text-capable (xlsx, CSV)."""
    return file_format in TEXT_FORMATS


def header_of(variable: Variable, instrument: str, files: FileSpec) -> str:
    """Return the header a county writes for a variable, checking it is a codebook alias.

    Parameters
    ----------
    variable : Variable
        The codebook variable.
    instrument : str
        Instrument the variable belongs to.
    files : FileSpec
        The county's header choices.

    Raises
    ------
    ValueError
        If an override or scaled header is not among the variable's codebook aliases.
    """
    scaled = files.scaled.get(instrument, {}).get(variable.name)
    if scaled is not None:
        if scaled not in variable.scaled_aliases:
            raise ValueError(f"{scaled!r} is not a scaled alias of {instrument}.{variable.name}")
        return scaled
    override = files.overrides.get(instrument, {}).get(variable.name)
    if override is not None:
        if override not in variable.aliases:
            raise ValueError(f"{override!r} is not an alias of {instrument}.{variable.name}")
        return override
    return variable.label_zh if files.header_style == "label_zh" else variable.name


def scale_of(variable: Variable, instrument: str, files: FileSpec) -> float | None:
    """Return the factor a county's values of this variable are divided by, or ``None``."""
    scaled = files.scaled.get(instrument, {}).get(variable.name)
    return None if scaled is None else variable.scaled_aliases[scaled]


class CellEncoder:
    """Turns semantic values into one county's cells: ``encoder(name, value)`` or a whole column.

    Parameters
    ----------
    variables : dict
        Canonical name -> codebook variable of the instrument.
    instrument : str
        The instrument.
    files : FileSpec
        The county's delivery format and header choices.
    """

    def __init__(self, variables: dict[str, Variable], instrument: str, files: FileSpec) -> None:
        self.variables = variables
        self.text = is_text_format(files.file_format)
        self.scales = {name: scale_of(v, instrument, files) for name, v in variables.items()}

    def __call__(self, name: str, value: object) -> object:
        """Return the cell for one semantic value of variable ``name``."""
        if value is None:
            return None
        variable = self.variables[name]
        if variable.type == "boolean":
            return (YES if value else NO) if self.text else int(bool(value))
        if variable.type == "category":
            return variable.label_of(str(value)) if self.text else variable.code_of(str(value))
        scale = self.scales[name]
        if scale is not None:
            return value / scale  # type: ignore[operator]
        return value

    def column(self, name: str, values: list) -> list:
        """Return the cells of a whole column (a copy; plain columns pass through unchanged)."""
        if self.variables[name].type in ("boolean", "category") or self.scales[name] is not None:
            return [self(name, v) for v in values]
        return list(values)


def value_labels(variable: Variable) -> dict[int, str] | None:
    """Return the Stata/SPSS value labels of a boolean or category variable (else ``None``)."""
    if variable.type == "boolean":
        return {1: YES, 0: NO}
    if variable.type == "category":
        return {int(spec["code"]): str(spec["label_zh"]) for spec in variable.categories.values()}
    return None
