"""The server: the app factory, a city's halls behind one dispatcher, the processes that serve them (workers,
housekeeping), diagnostics, eventlet's patch."""
