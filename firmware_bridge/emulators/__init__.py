"""What only tests a hall's devices, never runs in one: models of the devices a bridge drives (hallq-protocol
pads and boards, Onbon controllers, Modbus modules played by pymodbus's own server) and the pty buses they
answer on, for `hallq devices simulate`, the demo hall, the tests and the benchmarks. What runs in a hall is
beside this package: the bridge, its bus master, the drivers and the pyserial transport."""
