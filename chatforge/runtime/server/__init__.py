"""The hand-written core every generated server carries: body parsing, errors, handlers."""
