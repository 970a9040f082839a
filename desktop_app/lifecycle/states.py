"""Project statuses live with the data model (`models.statuses`); re-exported for the lifecycle."""

from desktop_app.models.statuses import (  # noqa: F401
    BUILT,
    CLOSED,
    CONSTRUCTION,
    FUNDED,
    PRE_APPROVAL,
    STATUS_LABELS,
    STATUSES,
    TERMINABLE,
    parse_status,
    status_label,
)
