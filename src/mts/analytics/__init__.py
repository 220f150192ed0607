"""Organisation analytics: team composition, project belonging and talent flow.

Pure: plain domain values in, plain ``Record`` dataclasses out (each with
``to_dict()``); no clock (``as_of`` is a parameter), no randomness. Unlike
``merit`` and ``staffing``, analytics may read protected attributes
(``ProtectedProfile``): tenure and prior employer describe the organisation
here, and never feed a decision.

Entry points (``report``)::

    composition_report(data, *, as_of, merit=None, settings=AnalyticsSettings())
    attrition_report(data, *, as_of, settings=AnalyticsSettings())
    flow_report(data, *, as_of, merit=None, settings=AnalyticsSettings())
    analytics_report(data, *, as_of, merit=None, settings=AnalyticsSettings())

Modules: ``inputs`` (``OrganisationData``, ``AnalyticsSettings``),
``allocations`` (seats dated by rounds), ``population`` (the organisation on
one day), ``composition``, ``lending`` (talent exported), ``departures``,
``waves`` (the wave rule), ``survival`` (Kaplan-Meier), ``retention``,
``boomerangs``, ``signals``, ``periods``, ``distribution``, ``encoding``.
See docs/analytics.md for every measure in plain words.
"""

from mts.analytics.composition import CompositionReport
from mts.analytics.inputs import AnalyticsSettings, OrganisationData
from mts.analytics.periods import PeriodKind
from mts.analytics.report import (
    AnalyticsReport,
    AttritionReport,
    FlowReport,
    analytics_report,
    attrition_report,
    composition_report,
    flow_report,
)

__all__ = [
    "AnalyticsReport",
    "AnalyticsSettings",
    "AttritionReport",
    "CompositionReport",
    "FlowReport",
    "OrganisationData",
    "PeriodKind",
    "analytics_report",
    "attrition_report",
    "composition_report",
    "flow_report",
]
