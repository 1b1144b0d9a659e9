"""Turning stored article HTML into text people read."""
