"""The lots pages: Trace."""
