"""mts: staff projects by execution, not by rank.

Layers, innermost first: ``domain`` <- engines (``merit``, ``staffing``,
``audit``, ``analytics``, ``sim``) <- ``services`` <- adapters (``storage``,
``importers``, ``api``, ``web``, ``cli``). ``bootstrap`` is the one place that
wires them together.
"""

__version__ = "0.1.0"
