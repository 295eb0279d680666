"""Ticket printers as python-escpos drives them: printer URIs, connectors, the ticket drawn or as GB18030
text, an ESC/POS reader and a printer emulator for tests and the demo, the kiosk agent that prints on a kiosk
PC."""
