"""Device drivers, one module per protocol family: hallq's own (hallq.py), Modbus-RTU modules (modbus.py) and
Onbon BX LED controllers (onbon.py). docs/devices/ has a page for each, and how to add the next."""
