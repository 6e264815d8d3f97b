"""Photos and documents on an asset: re-encoded without EXIF, type and size limits, one
primary photo, streamed only to callers who may see the asset."""

from __future__ import annotations

import io

from PIL import Image

from facilities.assets import queries
from facilities.kit import uploads
from tests import assets_builders as ab

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def upload(
    client,
    asset_id: int,
    content: bytes,
    *,
    kind: str = "photo",
    name: str = "p.jpg",
    primary: bool = False,
):
    data = {"kind": kind}
    if primary:
        data["primary"] = "true"
    return await client.post(
        f"/api/v1/assets/{asset_id}/files",
        data=data,
        files={"file": (name, content, "application/octet-stream")},
    )


async def test_photo_is_reencoded_and_gps_is_gone(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id)
    original = ab.jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825)  # the fixture really carries GPS
    client = await ab.api(make_client, w.cm)
    response = await upload(client, created.id, original, name='../../evil".jpg')
    assert response.status_code == 201, response.text
    meta = response.json()
    assert meta["kind"] == "photo" and meta["is_primary"] is True
    assert meta["content_type"] == "image/jpeg" and "/" not in meta["filename"]
    served = await client.get(f"/api/v1/assets/{created.id}/files/{meta['id']}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"].startswith("inline;")
    with Image.open(io.BytesIO(served.content)) as stored:
        exif = stored.getexif()
        assert not exif.get_ifd(0x8825) and 0x0110 not in exif
        assert stored.size == (80, 60)
    assert served.content != original
    assert (await queries.get_asset(created.id)).primary_photo_file_id == meta["id"]
    key = await queries.primary_photo(created.id)
    assert key is not None and uploads.read(key[0]) == served.content and key[1] == "image/jpeg"


async def test_not_an_image_gets_422_naming_the_field(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id)
    client = await ab.api(make_client, w.cm)
    response = await upload(client, created.id, b"MZ this is an exe, not a photo" * 10)
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "file"
    fake_doc = await upload(client, created.id, b"<html><script>", kind="document", name="x.pdf")
    assert fake_doc.status_code == 422 and fake_doc.json()["fields"][0]["field"] == "file"
    bad_kind = await upload(client, created.id, PDF, kind="virus")
    assert bad_kind.status_code == 422 and bad_kind.json()["fields"][0]["field"] == "kind"
    assert await queries.list_files(await _principal(w), created.id) == []


async def test_30_mb_upload_gets_413(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id)
    client = await ab.api(make_client, w.cm)
    response = await upload(client, created.id, b"\xff\xd8\xff" + b"\0" * (30 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


async def test_documents_and_primary_photo(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id)
    client = await ab.api(make_client, w.cm)
    doc = await upload(client, created.id, PDF, kind="document", name="Manual ü.pdf")
    assert doc.status_code == 201, doc.text
    assert doc.json()["content_type"] == "application/pdf" and doc.json()["is_primary"] is False
    served = await client.get(f"/api/v1/assets/{created.id}/files/{doc.json()['id']}")
    assert served.content == PDF
    assert served.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Manual%20%C3%BC.pdf" in served.headers["content-disposition"]
    first = (await upload(client, created.id, ab.image())).json()
    second = (await upload(client, created.id, ab.image("PNG"), name="b.png")).json()
    assert first["is_primary"] and not second["is_primary"]
    switched = await client.post(f"/api/v1/assets/{created.id}/files/{second['id']}/primary")
    assert switched.status_code == 200
    files = (await client.get(f"/api/v1/assets/{created.id}/files")).json()
    assert [f["id"] for f in files if f["is_primary"]] == [second["id"]]
    not_photo = await client.post(f"/api/v1/assets/{created.id}/files/{doc.json()['id']}/primary")
    assert not_photo.status_code == 422
    deleted = await client.delete(f"/api/v1/assets/{created.id}/files/{second['id']}")
    assert deleted.status_code == 204
    files = (await client.get(f"/api/v1/assets/{created.id}/files")).json()
    assert [f["id"] for f in files if f["is_primary"]] == [first["id"]]


async def test_files_of_other_sites_are_404(make_client) -> None:
    w = await ab.world()
    foreign = await ab.asset(w.other_site.id)
    own = await ab.asset(w.site.id)
    owner = await ab.api(make_client, w.cm_other)
    meta = (await upload(owner, foreign.id, ab.image())).json()
    client = await ab.api(make_client, w.cm)
    assert (await client.get(f"/api/v1/assets/{foreign.id}/files/{meta['id']}")).status_code == 404
    # the file id under an asset the caller can see is not a way around
    assert (await client.get(f"/api/v1/assets/{own.id}/files/{meta['id']}")).status_code == 404
    assert (await upload(client, foreign.id, ab.image())).status_code == 404
    assert (
        await client.delete(f"/api/v1/assets/{foreign.id}/files/{meta['id']}")
    ).status_code == 404


async def _principal(w: ab.World):
    from tests import builders

    return builders.principal(w.admin)
