"""Kanban loops and cards: scanning, the board, the replenishment list and sizing."""
