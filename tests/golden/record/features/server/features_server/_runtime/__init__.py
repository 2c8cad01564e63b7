"""The hand-written core of this server, copied from chatforge as it is."""
