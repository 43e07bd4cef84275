"""Names of question kinds and purposes, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.tenants.meetups.questions.models import QuestionKind, QuestionPurpose

KIND_LABELS = {
    QuestionKind.TEXT.value: _l("Free text"),
    QuestionKind.SINGLE.value: _l("One choice"),
    QuestionKind.MULTIPLE.value: _l("Several choices"),
}
PURPOSE_LABELS = {
    QuestionPurpose.REGISTRATION.value: _l("When registering"),
    QuestionPurpose.SURVEY.value: _l("In the after-meetup survey"),
}
