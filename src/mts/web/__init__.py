"""The web UI: server-rendered pages (Jinja2 + htmx) over the same services as the API.

``create_web_app(application)`` serves the API under ``/api`` and the pages
beside it, in one process. Pages that read work without JavaScript; htmx
only adds live round progress and in-place buttons.
"""
