"""Exceptions raised by :mod:`pa_study.stats`."""


class StatsInputError(ValueError):
    """Input that would make a statistic meaningless (empty data, bad weights, a lonely PSU, ...).

    Raised instead of returning a silent NaN; the message names the offending column, value or stratum.
    """
