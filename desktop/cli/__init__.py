"""The `storeroom` command line, one module per capability."""
