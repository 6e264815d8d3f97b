"""Pages of the compliance register: the list with red / amber / green, a certificate with
its documents and "raise a renewal work order", "add a certificate", "edit a certificate"
(dates, reference, responsible person or partner, notes) and the certificate types (the
shipped ones and your own, with "add a type")."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts import queries as account_queries
from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, upload_bytes
from facilities.safety.compliance import actions, queries
from facilities.safety.compliance.enums import APPLIES_TO_LABELS, RAG_LABELS, Rag
from facilities.safety.compliance.schemas import (
    CertificateCreate,
    CertificateRead,
    CertificateTypeCreate,
    CertificateUpdate,
)
from facilities.sites import queries as site_queries


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


class CertificatePages(Controller):
    include_in_schema = False

    @get("/safety/certificates", opt={"permission": "compliance.view"})
    async def list_page(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        status: FromQuery[Rag | None] = None,
    ) -> Template:
        me = actor(request)
        certificates = await queries.list_certificates(
            me, site_id=site_id, status=status.value if status else None
        )
        sites = (await site_queries.list_sites(me, limit=500)).items if me.can("sites.view") else []
        return page(
            request,
            "safety/certificates.html",
            {
                "certificates": certificates,
                "rag_labels": RAG_LABELS,
                "site_id": site_id,
                "status": status.value if status else "",
                "sites": sites,
            },
        )

    async def _new_page(
        self,
        request: Req,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        return page(
            request,
            "safety/certificate_new.html",
            {
                "types": await queries.list_types(active_only=True),
                "sites": (await site_queries.list_sites(me, limit=500)).items,
                "partners": await account_queries.list_partner_organisations(active_only=True)
                if me.can("partners.view")
                else [],
                "values": _Fields(values or {}),
                "errors": _Fields(errors or {}),
            },
            status_code=status_code,
        )

    @get("/safety/certificates/new", opt={"permission": "compliance.manage"})
    async def new_page(self, request: Req) -> Template:
        return await self._new_page(request)

    @post("/safety/certificates", opt={"permission": "compliance.manage"}, status_code=303)
    async def create(self, request: Req, data: Multipart) -> Response[Any]:
        values = forms.clean({k: v for k, v in data.items() if isinstance(v, str)})
        certificate, errors = forms.convert(values, CertificateCreate)
        if certificate is not None:
            try:
                created = await actions.create_certificate(actor=actor(request), data=certificate)
                return redirect(f"/safety/certificates/{created.id}", _("Certificate saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._new_page(request, values, errors, 422)

    async def _detail(
        self,
        request: Req,
        certificate_id: int,
        errors: dict[str, str] | None = None,
        code: int = 200,
    ) -> Template:
        certificate = await queries.get_certificate(actor(request), certificate_id)
        return page(
            request,
            "safety/certificate.html",
            {"c": certificate, "rag_labels": RAG_LABELS, "errors": _Fields(errors or {})},
            status_code=code,
        )

    @get("/safety/certificates/{certificate_id:int}", opt={"permission": "compliance.view"})
    async def detail(self, request: Req, certificate_id: FromPath[int]) -> Template:
        return await self._detail(request, certificate_id)

    @post(
        "/safety/certificates/{certificate_id:int}/documents",
        opt={"permission": "compliance.manage"},
        status_code=303,
    )
    async def add_document(
        self, request: Req, certificate_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        try:
            filename, content = await upload_bytes(data, "file")
            await actions.add_document(
                actor=actor(request),
                certificate_id=certificate_id,
                filename=filename,
                content=content,
            )
            return redirect(f"/safety/certificates/{certificate_id}", _("Document added."))
        except FacilitiesError as error:
            errors = forms.errors_of(error)
            if "form" in errors:
                errors = {"file": errors["form"]}
            return await self._detail(request, certificate_id, errors, error.status_code)

    @post(
        "/safety/certificates/{certificate_id:int}/renewal",
        opt={"permission": "compliance.manage"},
        status_code=303,
    )
    async def renewal(self, request: Req, certificate_id: FromPath[int]) -> Response[Any]:
        try:
            updated = await actions.raise_renewal(
                actor=actor(request), certificate_id=certificate_id
            )
            return redirect(
                f"/safety/certificates/{certificate_id}",
                _("Renewal work order #%(id)d created.") % {"id": updated.renewal_work_order_id},
            )
        except FacilitiesError as error:
            errors = forms.errors_of(error)
            return await self._detail(
                request, certificate_id, {"renewal": next(iter(errors.values()))}, 409
            )

    # ---- edit a certificate -------------------------------------------------------------

    async def _edit_page(
        self,
        request: Req,
        certificate: CertificateRead,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        return page(
            request,
            "safety/certificate_edit.html",
            {
                "c": certificate,
                "people": await queries.responsible_people(),
                "partners": await account_queries.list_partner_organisations(active_only=True)
                if me.can("partners.view")
                else [],
                "values": _Fields(values),
                "errors": _Fields(errors or {}),
            },
            status_code=status_code,
        )

    @get("/safety/certificates/{certificate_id:int}/edit", opt={"permission": "compliance.manage"})
    async def edit_page(self, request: Req, certificate_id: FromPath[int]) -> Template:
        certificate = await queries.get_certificate(actor(request), certificate_id)
        values = {
            "issued_on": certificate.issued_on.isoformat(),
            "expires_on": certificate.expires_on.isoformat(),
            "reference": certificate.reference,
            "responsible_user_id": certificate.responsible_user_id or "",
            "responsible_partner_id": certificate.responsible_partner_id or "",
            "notes": certificate.notes,
        }
        return await self._edit_page(request, certificate, values)

    @post(
        "/safety/certificates/{certificate_id:int}/edit",
        opt={"permission": "compliance.manage", "form": CertificateUpdate},
        status_code=303,
    )
    async def update(
        self, request: Req, certificate_id: FromPath[int], data: Form
    ) -> Response[Any]:
        me = actor(request)
        certificate = await queries.get_certificate(me, certificate_id)
        values = forms.clean(
            {k: v for k, v in data.items() if isinstance(v, str)},
            keep_empty=frozenset({"reference", "notes"}),
        )
        # Only what the form posted changes (a select left on "—" clears the field).
        payload: dict[str, Any] = {
            k: values.get(k, "")
            for k in ("issued_on", "expires_on", "reference", "notes")
            if k in data
        }
        for key in ("responsible_user_id", "responsible_partner_id"):
            if key in data:
                payload[key] = values.get(key) or None
        change, errors = forms.convert(payload, CertificateUpdate)
        if change is not None:
            try:
                await actions.update_certificate(
                    actor=me, certificate_id=certificate_id, data=change
                )
                return redirect(f"/safety/certificates/{certificate_id}", _("Certificate saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._edit_page(request, certificate, values, errors, 422)

    # ---- certificate types --------------------------------------------------------------

    async def _types_page(
        self,
        request: Req,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "safety/certificate_types.html",
            {
                "types": await queries.list_types(),
                "applies_labels": APPLIES_TO_LABELS,
                "values": _Fields(values or {"interval_months": "12", "applies_to": "site"}),
                "errors": _Fields(errors or {}),
            },
            status_code=status_code,
        )

    @get("/safety/certificates/types", opt={"permission": "compliance.view"})
    async def types_page(self, request: Req) -> Template:
        return await self._types_page(request)

    @post(
        "/safety/certificates/types",
        opt={"permission": "compliance.manage", "form": CertificateTypeCreate},
        status_code=303,
    )
    async def create_type(self, request: Req, data: Form) -> Response[Any]:
        values = forms.clean({k: v for k, v in data.items() if isinstance(v, str)})
        payload = dict(values)
        if not payload.get("key"):  # derived from the English name when left empty
            payload["key"] = type_key(str(values.get("name_en") or ""))
        created, errors = forms.convert(payload, CertificateTypeCreate)
        if created is not None:
            try:
                kind = await actions.create_type(actor=actor(request), data=created)
                return redirect(
                    "/safety/certificates/types",
                    _("Certificate type added: %(name)s") % {"name": kind.name},
                )
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._types_page(request, values, errors, 422)


def type_key(name: str) -> str:
    """A type's key from its name: lower-case letters, digits and underscores."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:40]
    if key and not key[0].isalpha():
        key = "t_" + key[:38]
    return key
