"""``/api/v1/safety/certificates`` and ``/api/v1/safety/certificate-types``: the compliance
register. A certificate the caller may not see answers 404."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit.openapi import ANY_FILE
from facilities.kit.web import Multipart, Req, document_response, upload_bytes
from facilities.safety.compliance import actions, queries
from facilities.safety.compliance.enums import Rag
from facilities.safety.compliance.schemas import (
    CertificateCreate,
    CertificateRead,
    CertificateTypeCreate,
    CertificateTypeRead,
    CertificateUpdate,
)


class ComplianceApi(Controller):
    path = "/api/v1/safety"
    tags = ["safety"]

    @get("/certificate-types", opt={"permission": "compliance.view"})
    async def list_types(self) -> list[CertificateTypeRead]:
        """Shipped types (``shipped``) and your own, each with its usual interval."""
        return await queries.list_types()

    @post("/certificate-types", opt={"permission": "compliance.manage"})
    async def create_type(
        self, request: Req, data: JSONBody[CertificateTypeCreate]
    ) -> Response[CertificateTypeRead]:
        created = await actions.create_type(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @get("/certificates", opt={"permission": "compliance.view"})
    async def list_certificates(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        status: FromQuery[Rag | None] = None,
    ) -> list[CertificateRead]:
        """Red: expired; amber: expires within 60 days; green: valid."""
        return await queries.list_certificates(
            actor(request), site_id=site_id, status=status.value if status else None
        )

    @post("/certificates", opt={"permission": "compliance.manage"})
    async def create_certificate(
        self, request: Req, data: JSONBody[CertificateCreate]
    ) -> Response[CertificateRead]:
        """Without ``expires_on`` the type's usual interval applies. 422 naming
        ``expires_on`` when it is not after ``issued_on``."""
        created = await actions.create_certificate(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @get("/certificates/{certificate_id:int}", opt={"permission": "compliance.view"})
    async def get_certificate(self, request: Req, certificate_id: FromPath[int]) -> CertificateRead:
        return await queries.get_certificate(actor(request), certificate_id)

    @patch("/certificates/{certificate_id:int}", opt={"permission": "compliance.manage"})
    async def update_certificate(
        self, request: Req, certificate_id: FromPath[int], data: JSONBody[CertificateUpdate]
    ) -> CertificateRead:
        return await actions.update_certificate(
            actor=actor(request), certificate_id=certificate_id, data=data
        )

    @post("/certificates/{certificate_id:int}/documents", opt={"permission": "compliance.manage"})
    async def add_document(
        self, request: Req, certificate_id: FromPath[int], data: Multipart
    ) -> Response[CertificateRead]:
        """Multipart field ``file``: a PDF, an office document or a photo."""
        filename, content = await upload_bytes(data, "file")
        updated = await actions.add_document(
            actor=actor(request), certificate_id=certificate_id, filename=filename, content=content
        )
        return Response(content=updated, status_code=201)

    @get(
        "/certificates/{certificate_id:int}/documents/{doc_id:int}",
        opt={"permission": "compliance.view"},
        media_type=ANY_FILE,
    )
    async def get_document(
        self, request: Req, certificate_id: FromPath[int], doc_id: FromPath[int]
    ) -> Response[bytes]:
        doc = await queries.document_of(actor(request), certificate_id, doc_id)
        return await document_response(doc["file_key"], doc["content_type"], doc["filename"])

    @post("/certificates/{certificate_id:int}/renewal", opt={"permission": "compliance.manage"})
    async def raise_renewal(
        self, request: Req, certificate_id: FromPath[int]
    ) -> Response[CertificateRead]:
        """A renewal work order for an expired or soon expiring certificate (409 while it is
        green or a renewal order is open)."""
        updated = await actions.raise_renewal(actor=actor(request), certificate_id=certificate_id)
        return Response(content=updated, status_code=201)
