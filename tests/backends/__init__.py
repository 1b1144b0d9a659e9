"""Integration tests over real comment servers (see comment-backends.sh)."""
