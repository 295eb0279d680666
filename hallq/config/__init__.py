"""The hall's files read and checked: the hall file (zones, services, windows, hours, AB岗), its devices and
kiosks, a city's halls, and the server's own settings. Errors name the key path and line."""
