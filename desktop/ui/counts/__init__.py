"""Cycle counts: ABC classes, the count plan, count sessions and events, accuracy, settings."""
