"""How an import's status reads on its pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.tenants.imports.models import ImportStatus

STATUS_LABELS = {
    ImportStatus.UPLOADED: _l("Uploaded"),
    ImportStatus.MAPPED: _l("Columns matched"),
    ImportStatus.PREVIEWED: _l("Previewed"),
    ImportStatus.RUNNING: _l("Importing"),
    ImportStatus.DONE: _l("Done"),
    ImportStatus.FAILED: _l("Failed"),
}
