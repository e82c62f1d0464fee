"""Supporting documents: checked (size, extension and content), stored under MEDIA_ROOT.

A file is accepted only when its extension is allowed for the document type
and its first bytes (and, for Office files and images, its structure) say it
is that kind of file. The file is stored under a random name; its original
name is kept for the download.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from sinergi.web.audit import services as audit
from sinergi.web.audit.models import Action
from sinergi.web.programs.choices import DocumentType
from sinergi.web.programs.models import Activity, Document, FlagshipProgramme

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
PHOTO_EXTENSIONS = {"png", "jpg", "jpeg"}


def max_bytes() -> int:
    return int(getattr(settings, "SINERGI_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_extensions(doc_type: str) -> set[str]:
    return PHOTO_EXTENSIONS if doc_type == DocumentType.PHOTO else set(CONTENT_TYPES)


def sniff(head: bytes, stream: IO[bytes]) -> str | None:
    """The file kind its content shows (``pdf``, ``png``, ``jpg``, ``docx``...), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            names = zipfile.ZipFile(stream).namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" not in names:
            return None
        for kind, prefix in OFFICE_PARTS.items():
            if any(name.startswith(prefix) for name in names):
                return kind
    return None


def _image_is_whole(stream: IO[bytes]) -> bool:
    from PIL import Image

    try:
        stream.seek(0)
        with Image.open(stream) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds for a broken image
        return False
    return True


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    sha256: str


def check_file(name: str, stream: IO[bytes], size: int, doc_type: str) -> CheckedFile:
    """Validate an upload; raises ``ValidationError`` saying what is wrong."""
    if doc_type not in DocumentType.values:
        raise ValidationError({"doc_type": _("Unknown document type.")})
    limit = max_bytes()
    if size <= 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size).1f MB; the limit is %(limit).1f MB.")
                % {"size": size / 2**20, "limit": limit / 2**20}
            }
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = allowed_extensions(doc_type)
    if extension not in allowed:
        raise ValidationError(
            {
                "file": _("Files of type .%(ext)s are not accepted here; use %(allowed)s.")
                % {"ext": extension or "?", "allowed": ", ".join(sorted(allowed))}
            }
        )
    stream.seek(0)
    head = stream.read(16)
    kind = sniff(head, stream)
    expected = "jpg" if extension == "jpeg" else extension
    if kind != expected:
        raise ValidationError(
            {
                "file": _(
                    "The file's content is not a .%(ext)s file (it may be renamed or damaged)."
                )
                % {"ext": extension}
            }
        )
    if kind in PHOTO_EXTENSIONS and not _image_is_whole(stream):
        raise ValidationError({"file": _("The image is damaged.")})
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(extension, CONTENT_TYPES[extension], size, digest.hexdigest())


@transaction.atomic
def add_document(
    *,
    doc_type: str,
    title: str,
    name: str,
    stream: IO[bytes],
    size: int,
    user: object,
    activity: Activity | None = None,
    flagship: FlagshipProgramme | None = None,
    is_illustrative: bool = False,
) -> Document:
    """Check and store a document on an activity or a flagship programme, and audit it."""
    if (activity is None) == (flagship is None):
        raise ValidationError(_("A document belongs to one activity or one flagship programme."))
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    checked = check_file(name, stream, size, doc_type)
    region_id = activity.region_id if activity is not None else flagship.region_id  # type: ignore[union-attr]
    document = Document(
        region_id=region_id,
        activity=activity,
        flagship=flagship,
        doc_type=doc_type,
        title=title.strip()[:300],
        original_name=name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        is_illustrative=is_illustrative,
    )
    document.file.save(name, File(stream, name=name), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    audit.record(document, Action.CREATE, user)  # type: ignore[arg-type]
    return document


def add_document_bytes(content: bytes, **kwargs: object) -> Document:
    """:func:`add_document` for bytes in memory (demo, tests, API)."""
    return add_document(stream=io.BytesIO(content), size=len(content), **kwargs)  # type: ignore[arg-type]


@transaction.atomic
def delete_document(document: Document, user: object) -> None:
    audit.record(document, Action.DELETE, user, before=audit.snapshot(document))  # type: ignore[arg-type]
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    # Remove the file only once the deletion is committed.
    transaction.on_commit(lambda: storage.delete(stored))


def download_response(document: Document) -> FileResponse:
    """The stored file of a :class:`~sinergi.web.programs.models.Document` as an attachment.

    Raises ``FileNotFoundError`` when the file is missing from storage; the
    caller answers 404 in its own way (page or API).
    """
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
