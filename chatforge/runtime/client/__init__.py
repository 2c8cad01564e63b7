"""The hand-written core every generated client carries: HTTP, auth, encodings, errors."""
