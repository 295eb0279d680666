"""Managers' figures, computed in the database: summaries, monthly ranking, the live hall, exports."""
