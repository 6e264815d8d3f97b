"""``/api/v1/sustainability/…``: meters, readings, bill periods, occupancy, emission factors
and monthly results. Site-bound ids outside the caller's scope answer 404."""

from __future__ import annotations

from datetime import date

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit import clock
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.openapi import PDF
from facilities.kit.web import Req, pdf_response
from facilities.sustainability import actions, labels, queries, results, targets
from facilities.sustainability.enums import Carrier
from facilities.sustainability.schemas import (
    FactorCreate,
    FactorRead,
    IntervalImportRead,
    LabelRequest,
    MeterCreate,
    MeterRead,
    MeterUpdate,
    OccupancyRead,
    OccupancySet,
    PeriodCreate,
    PeriodRead,
    ReadingCreate,
    ReadingRead,
    ResultsRead,
    TargetCreate,
    TargetRead,
)

# A year of 15-minute values for hundreds of meters is a few hundred MB of CSV; the body is
# streamed, never held in memory.
INTERVAL_BODY_LIMIT = 2 * 1024**3
OCCUPANCY_BODY_LIMIT = 1024**2


class SustainabilityApi(Controller):
    path = "/api/v1/sustainability"
    tags = ["sustainability"]

    # ---- meters -------------------------------------------------------------------------

    @get("/meters", opt={"permission": "sustainability.view"})
    async def list_meters(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        carrier: FromQuery[Carrier | None] = None,
        active: FromQuery[bool | None] = None,
    ) -> list[MeterRead]:
        return await queries.list_meters(
            actor(request), site_id=site_id, carrier=carrier, active=active
        )

    @post("/meters", opt={"permission": "sustainability.manage"})
    async def create_meter(self, request: Req, data: JSONBody[MeterCreate]) -> MeterRead:
        """A gas meter counting m³ needs ``correction_factor`` (Zustandszahl) and
        ``calorific_value`` (Brennwert, kWh/m³, gross) from its bill."""
        return await actions.create_meter(actor=actor(request), data=data)

    @get("/meters/{meter_id:int}", opt={"permission": "sustainability.view"})
    async def get_meter(self, request: Req, meter_id: FromPath[int]) -> MeterRead:
        return await queries.get_meter(actor(request), meter_id)

    @patch("/meters/{meter_id:int}", opt={"permission": "sustainability.manage"})
    async def update_meter(
        self, request: Req, meter_id: FromPath[int], data: JSONBody[MeterUpdate]
    ) -> MeterRead:
        return await actions.update_meter(actor=actor(request), meter_id=meter_id, data=data)

    @delete("/meters/{meter_id:int}", opt={"permission": "sustainability.manage"})
    async def delete_meter(self, request: Req, meter_id: FromPath[int]) -> None:
        """409 when the meter has readings or bills: deactivate it instead."""
        await actions.delete_meter(actor=actor(request), meter_id=meter_id)

    @post(
        "/labels",
        opt={"permission": "sustainability.enter"},
        status_code=200,
        media_type=PDF,
    )
    async def labels(self, request: Req, data: JSONBody[LabelRequest]) -> Response[bytes]:
        """A PDF of meter QR labels: ``meter_ids`` (in order) or every active meter of
        ``site_id``; ``layout`` sheet (A4, 3×8; ``skip`` used cells) or single (62 mm).
        Scanning a label opens the meter's "enter a reading" page (``/q/{code}``)."""
        content = await labels.label_pdf(actor(request), data)
        return pdf_response(content, "meter-labels.pdf")

    # ---- readings and periods -----------------------------------------------------------

    @get("/meters/{meter_id:int}/readings", opt={"permission": "sustainability.view"})
    async def list_readings(
        self, request: Req, meter_id: FromPath[int], limit: FromQuery[int] = 100
    ) -> list[ReadingRead]:
        return await queries.list_readings(actor(request), meter_id, limit=max(1, min(limit, 1000)))

    @post("/meters/{meter_id:int}/readings", opt={"permission": "sustainability.enter"})
    async def record_reading(
        self, request: Req, meter_id: FromPath[int], data: JSONBody[ReadingCreate]
    ) -> Response[ReadingRead]:
        """422 naming the field for a reading lower than the previous one (unless ``kind``
        is rollover or replacement), in the future or before the install date; 409 naming
        ``confirm_jump`` when it means more than ten times the usual daily consumption."""
        created = await actions.record_reading(actor=actor(request), meter_id=meter_id, data=data)
        return Response(content=created, status_code=201)

    @get("/meters/{meter_id:int}/periods", opt={"permission": "sustainability.view"})
    async def list_periods(self, request: Req, meter_id: FromPath[int]) -> list[PeriodRead]:
        return await queries.list_periods(actor(request), meter_id)

    @post("/meters/{meter_id:int}/periods", opt={"permission": "sustainability.enter"})
    async def add_period(
        self, request: Req, meter_id: FromPath[int], data: JSONBody[PeriodCreate]
    ) -> Response[PeriodRead]:
        """A bill from ``starts_on`` to ``ends_on`` (both included). 409 when it overlaps
        another bill of the meter by more than one shared boundary day."""
        created = await actions.add_period(actor=actor(request), meter_id=meter_id, data=data)
        return Response(content=created, status_code=201)

    @delete(
        "/meters/{meter_id:int}/periods/{period_id:int}",
        opt={"permission": "sustainability.enter"},
    )
    async def delete_period(
        self, request: Req, meter_id: FromPath[int], period_id: FromPath[int]
    ) -> None:
        await actions.delete_period(actor=actor(request), meter_id=meter_id, period_id=period_id)

    # ---- targets ------------------------------------------------------------------------

    @get("/targets", opt={"permission": "sustainability.view"})
    async def list_targets(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
    ) -> list[TargetRead]:
        """Targets of the caller's sites and regions; with ``year``, each with its progress
        (see docs/kpis.md)."""
        if year is not None and not 1990 <= year <= 2100:
            raise RuleViolation("year", _("Choose a year between 1990 and 2100."))
        return await targets.list_targets(
            actor(request), year=year, site_id=site_id, region_id=region_id
        )

    @post("/targets", opt={"permission": "sustainability.manage"})
    async def create_target(self, request: Req, data: JSONBody[TargetCreate]) -> TargetRead:
        """422 naming ``target_year`` when it is not after ``baseline_year``."""
        return await targets.create_target(actor=actor(request), data=data)

    @delete("/targets/{target_id:int}", opt={"permission": "sustainability.manage"})
    async def delete_target(self, request: Req, target_id: FromPath[int]) -> None:
        await targets.delete_target(actor=actor(request), target_id=target_id)

    # ---- interval data -----------------------------------------------------------------

    @post(
        "/intervals",
        opt={"permission": "sustainability.manage"},
        request_max_body_size=INTERVAL_BODY_LIMIT,
    )
    async def import_intervals(
        self,
        request: Req,
        interval: FromQuery[int] = 15,
        filename: FromQuery[str] = "",
        sha256: FromQuery[str | None] = None,
    ) -> Response[IntervalImportRead]:
        """A load-profile CSV as the request body (``Content-Type: text/csv``; columns
        ``meter_id,start,value,unit``; ``interval`` 15 or 60 minutes). Read as a stream, all
        or nothing: 422 lists every bad row (``Line N: …``) and keeps nothing. 201 with
        the import. The same file again answers 409 naming the earlier import, before the
        file is parsed; with ``sha256`` (the file's SHA-256 in hex) before it is read."""
        created = await actions.import_intervals(
            actor=actor(request),
            chunks=request.stream(),
            filename=filename,
            interval=interval,
            sha256=sha256,
        )
        return Response(content=created, status_code=201)

    @post("/occupancy", opt={"permission": "sustainability.enter"})
    async def import_occupancy(self, request: Req) -> list[OccupancyRead]:
        """Member visits as CSV (``Content-Type: text/csv``; ``site_id,month,visits``, month
        ``YYYY-MM``), e.g. from a coworking platform. All or nothing: 422 lists every bad
        row. A month already entered is replaced."""
        body = await request.body()
        if len(body) > OCCUPANCY_BODY_LIMIT:
            raise RuleViolation("file", _("The file is too large (at most 1 MB)."))
        return await actions.import_occupancy(
            actor=actor(request), text=body.decode("utf-8", errors="replace")
        )

    @post("/periods", opt={"permission": "sustainability.enter"})
    async def import_periods(self, request: Req) -> Response[list[PeriodRead]]:
        """Bills of many meters as CSV (``Content-Type: text/csv``;
        ``meter_id,starts_on,ends_on,quantity,cost``, then optionally ``estimated``,
        ``note``; dates ``YYYY-MM-DD``, both included). Each row is checked like a bill
        entered on its meter (dates, installation, overlaps, also between rows). All or
        nothing: 422 lists every bad row."""
        body = await request.body()
        if len(body) > OCCUPANCY_BODY_LIMIT:
            raise RuleViolation("file", _("The file is too large (at most 1 MB)."))
        created = await actions.import_periods(
            actor=actor(request), text=body.decode("utf-8", errors="replace")
        )
        return Response(content=created, status_code=201)

    # ---- occupancy ----------------------------------------------------------------------

    @get("/sites/{site_id:int}/occupancy", opt={"permission": "sustainability.view"})
    async def list_occupancy(
        self, request: Req, site_id: FromPath[int], year: FromQuery[int | None] = None
    ) -> list[OccupancyRead]:
        return await queries.list_occupancy(actor(request), site_id, year or clock.now().year)

    @put("/sites/{site_id:int}/occupancy/{month:str}", opt={"permission": "sustainability.enter"})
    async def set_occupancy(
        self,
        request: Req,
        site_id: FromPath[int],
        month: FromPath[str],
        data: JSONBody[OccupancySet],
    ) -> OccupancyRead:
        """Member visits of the month ``YYYY-MM`` or ``YYYY-MM-DD`` (any day names its
        month); replaces the month's figure."""
        try:
            day = date.fromisoformat(month if len(month) > 7 else f"{month}-01")
        except ValueError:
            raise RuleViolation("month", _("Give the month as YYYY-MM, e.g. 2026-03.")) from None
        return await actions.set_occupancy(
            actor=actor(request), site_id=site_id, month=day, data=data
        )

    # ---- emission factors ---------------------------------------------------------------

    @get("/factors", opt={"permission": "sustainability.view"})
    async def list_factors(
        self,
        carrier: FromQuery[Carrier | None] = None,
        region: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
    ) -> list[FactorRead]:
        return await queries.list_factors(carrier=carrier, region=region, year=year)

    @post("/factors", opt={"permission": "sustainability.manage"})
    async def create_factor(self, request: Req, data: JSONBody[FactorCreate]) -> FactorRead:
        """kg CO2e per kWh (fuels on the gross calorific basis). Never edited: posting the
        same carrier, region, year and method again adds a new version."""
        return await actions.create_factor(actor=actor(request), data=data)

    # ---- results ------------------------------------------------------------------------

    @get("/results", opt={"permission": "sustainability.view"})
    async def get_results(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
    ) -> ResultsRead:
        """Monthly consumption per carrier, Scope 1, Scope 2 location- and market-based and
        intensities for one site or every site the caller sees (see docs/kpis.md)."""
        return await results.results(
            actor(request), year=year or clock.now().year, site_id=site_id, region_id=region_id
        )
