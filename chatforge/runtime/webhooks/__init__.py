"""The hand-written core of webhook receivers: verifying deliveries (clients and servers) and
the routes that receive them (servers), copied into packages whose spec describes events."""
