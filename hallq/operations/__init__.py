"""The shell's operations: engine rules applied inside database transactions, returning pushes to send."""
