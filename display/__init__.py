"""Antre."""
