"""How the console's own pages name the states of other features' rows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.tenants.introductions.models import IntroductionStatus

INTRODUCTION_LABELS = {
    IntroductionStatus.SUGGESTED: _l("Waiting for review"),
    IntroductionStatus.SKIPPED: _l("Skipped"),
    IntroductionStatus.SENT: _l("Waiting for answers"),
    IntroductionStatus.CONNECTED: _l("Connected"),
    IntroductionStatus.DECLINED: _l("Declined"),
    IntroductionStatus.EXPIRED: _l("Expired"),
}

REFERRAL_LABELS = {
    "open": _l("Open"),
    "won": _l("Closed: business won"),
    "lost": _l("Closed: did not work out"),
}
