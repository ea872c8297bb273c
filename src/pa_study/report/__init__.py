"""The study's PDF report, built with Typst from results files only (:mod:`.build`)."""

from pa_study.report.build import ReportInputs, build_report, county_names, page_count, report_document
from pa_study.report.settings import ReportSettings

__all__ = ["ReportInputs", "ReportSettings", "build_report", "county_names", "page_count", "report_document"]
