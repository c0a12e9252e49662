"""The stock ledger: moves, the one Issue rule, batch posting and availability."""
