"""MRO spares: assets, spares, cross-references, reservations, repairables and reports."""
