"""darkfleet.report: the self-contained HTML report and static figures.

``write_report(events, vessels, positions, static, path)`` is what ``darkfleet detect`` calls;
``build_report(db_path, out_path)`` does the same from a store.
"""

from darkfleet.report.html import build_report, write_report
from darkfleet.report.payload import ReportLimits, collect_payload

__all__ = ["ReportLimits", "build_report", "collect_payload", "write_report"]
