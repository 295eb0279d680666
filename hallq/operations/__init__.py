"""The shell's operations: engine rules applied inside database transactions, returning pushes to send; the
context every operation gets (hall, store, clock, policy), accounts and tokens, the audit log,
housekeeping."""
