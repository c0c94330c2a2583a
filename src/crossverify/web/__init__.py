"""Server-rendered pages for officers: login, batch queue, batch page (no JS build)."""
