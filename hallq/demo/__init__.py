"""The demo hall: tokens and logins, simulated printers and serial devices, five weeks of synthetic
history."""
