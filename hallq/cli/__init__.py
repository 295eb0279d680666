"""The `hallq` command, one module per command group; entry.py decides eventlet before anything else is
imported."""
