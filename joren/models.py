"""Import every model so that metadata (Alembic, tests) sees the whole schema."""

from joren.platform.billing.models import StripeEvent, Subscription
from joren.platform.deferred import DeferredJob
from joren.platform.identity.account import Account
from joren.platform.identity.community import Community, CommunityKind
from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus
from joren.platform.membership.models import Invitation, Member, MemberStatus, Role
from joren.platform.pagecache import DataChange
from joren.tenants.announcements.models import Announcement, AnnouncementRecipient
from joren.tenants.console.models import MemberNote
from joren.tenants.engagement.models import EngagementSettings, MemberEngagement
from joren.tenants.engagement.rollups.models import (
    CohortRollup,
    MeetupRollup,
    MemberRollup,
    RollupState,
)
from joren.tenants.imports.models import ImportBatch, ImportPreset
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionCycle,
    IntroductionSettings,
)
from joren.tenants.meetups.models import (
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
    Visibility,
)
from joren.tenants.meetups.public.models import EventImage, PublicContact
from joren.tenants.meetups.questions.models import Question, RegistrationAnswer
from joren.tenants.meetups.survey.models import SurveyResponse
from joren.tenants.members.consent.models import ConsentRecord, PrivacyNotice
from joren.tenants.payments.models import Payment, PaymentSettings
from joren.tenants.privacy.models import AuditEntry, RetentionSettings
from joren.tenants.relationships.models import (
    Contact,
    JournalEntry,
    MeetupGives,
    Referral,
    Relationship,
)

__all__ = [
    "Account", "Attendance", "AttendanceChange", "AttendanceStatus", "Community",
    "CommunityKind", "DeferredJob", "EmailUnsubscribe", "Invitation", "Meetup", "MeetupSeries",
    "MeetupStatus",
    "Member", "MemberStatus", "OutboxMessage", "OutboxStatus", "Registration",
    "RegistrationStatus", "Role", "SeriesRegistration", "Visibility",
    "EngagementSettings", "MemberEngagement", "CohortRollup", "MeetupRollup", "MemberRollup",
    "RollupState", "ImportBatch", "ImportPreset", "EventImage", "PublicContact", "MemberNote",
    "Introduction", "IntroductionCycle", "IntroductionSettings", "Contact", "JournalEntry",
    "MeetupGives", "Referral", "Relationship", "StripeEvent", "Subscription",
    "Payment", "PaymentSettings", "RetentionSettings", "AuditEntry", "Announcement",
    "AnnouncementRecipient", "ConsentRecord", "PrivacyNotice",
    "Question", "DataChange",
    "RegistrationAnswer", "SurveyResponse",
]
