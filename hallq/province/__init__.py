"""Reporting 好差评 to the province: the message shapes (pure) and the sender (HTTP, retries)."""
