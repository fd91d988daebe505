"""Printing: printers (admin), the till's printer state, reprints and the drawer, the agent API."""
