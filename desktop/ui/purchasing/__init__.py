"""Purchase orders, receiving against them and supplier lead times."""
