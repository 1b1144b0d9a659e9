"""Widgets: they show state and post messages; they do no I/O."""
