"""The study's PDF report, built with Typst from results files only (:mod:`.build`)."""

from pa_study.report.build import ReportInputs, build_report, county_names, page_count, report_document

__all__ = ["ReportInputs", "build_report", "county_names", "page_count", "report_document"]
