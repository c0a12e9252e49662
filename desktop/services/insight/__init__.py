"""Figures: KPIs, consumption, replenishment, valuation and the report tables."""
