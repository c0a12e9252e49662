"""What the storeroom holds and where: parts, suppliers, manufacturers, locations, units, scan."""
