"""The report as a list of sections: the seam where each part plugs in.

A section builder takes the report's figures and returns a ``Section`` (its heading, the
template that renders it on the web page and in the PDF alike, and its chart) or None when
it has nothing to show. ``SECTIONS`` is the order on the page. The inspections part (due vs
done on time, average score and its trend, top failed items, open findings by age, overdue
corrective work) is ``inspections_section``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from facilities.kit.i18n import N_
from facilities.safety.report import charts
from facilities.safety.report.schemas import ReportRead


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str  # msgid
    template: str  # rendered with ``report``, ``section`` and ``chart`` in the context
    chart: str | None = None  # inline SVG


def incidents_section(report: ReportRead) -> Section | None:
    return Section(
        "incidents",
        N_("Incidents and near misses"),
        "safety/report/_incidents.html",
        charts.incidents_by_month(report),
    )


def certificates_section(report: ReportRead) -> Section | None:
    return Section(
        "certificates",
        N_("Compliance register"),
        "safety/report/_certificates.html",
        charts.certificates_by_status(report),
    )


def training_section(report: ReportRead) -> Section | None:
    return Section(
        "training",
        N_("Training"),
        "safety/report/_training.html",
        charts.training_coverage(report),
    )


def inspections_section(report: ReportRead) -> Section | None:
    return Section(
        "inspections",
        N_("Inspections"),
        "safety/report/_inspections.html",
        charts.inspection_scores(report),
    )


SECTIONS: list[Callable[[ReportRead], Section | None]] = [
    inspections_section,
    incidents_section,
    certificates_section,
    training_section,
]


def sections_of(report: ReportRead) -> list[Section]:
    return [s for s in (build(report) for build in SECTIONS) if s is not None]
