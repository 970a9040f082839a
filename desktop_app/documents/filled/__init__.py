"""Official documents filled from the store: one module per family, `registry` maps codes to builders.

    from desktop_app.documents import filled
    data = filled.render(store, "acceptance", project="MY-2027-001")   # PDF bytes
    for doc in filled.for_record_kind("contract"): ...                # what a record can print
"""

from .common import MissingRecordError, UnknownDocumentError
from .registry import (
    DOCUMENTS,
    LEDGER,
    PROJECT,
    RECORD,
    SESSION,
    YEAR,
    DocKind,
    file_name,
    for_record_kind,
    get,
    make,
    projects_of_year,
    render,
)

__all__ = [
    "DOCUMENTS",
    "LEDGER",
    "PROJECT",
    "RECORD",
    "SESSION",
    "YEAR",
    "DocKind",
    "MissingRecordError",
    "UnknownDocumentError",
    "file_name",
    "for_record_kind",
    "get",
    "make",
    "projects_of_year",
    "render",
]
