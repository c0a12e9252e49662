"""Data in and out: imports of every kind, exports and the tabular readers and writers."""
