"""Read files from outside (CSV, JSON, git history, HR exports) into domain values.

Importers parse and validate; they never write. The ``services.imports`` use
case checks references against the store and writes in one transaction.
"""
