"""The hand-written core of this client, copied from chatforge as it is."""
