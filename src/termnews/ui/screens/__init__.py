"""Screens: they own the workers and turn their results into widget updates."""
