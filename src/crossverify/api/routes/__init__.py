"""Routers by domain; each route declares `allow(...)` (deny by default)."""
