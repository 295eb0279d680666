"""What if, from the hall's own log: recorded days replayed in the simulator, with changes to try."""
