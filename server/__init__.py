"""Antre: the counter queue system for a Mal Pelayanan Publik."""

__all__ = ["__version__"]

__version__ = "0.1.0"
