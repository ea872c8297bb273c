"""pa-study: a reproducible county case-study pipeline for targeted poverty alleviation research."""

__version__ = "0.1.0"
