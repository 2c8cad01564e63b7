"""One module per tag: the handler base class and the router."""
