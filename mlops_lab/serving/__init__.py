"""Serving: a standalone model server, batch scoring, container build contexts and the
prediction log. `runtime/` is the server's core; the rest wires it to the store and registry."""
