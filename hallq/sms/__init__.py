"""Text messages to citizens' phones: the adapters (the hall's own gateway over HTTP, Alibaba Cloud and
Tencent Cloud SMS through their SDKs) and the sender every server process runs (docs/booking.md)."""
