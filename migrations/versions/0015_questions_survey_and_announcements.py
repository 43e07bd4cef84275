"""questions, survey and announcements: registration questions and their answers, the
after-meetup survey's responses, announcements and their recipients

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:40:50

Five tenant tables (meetup_questions, registration_answers, survey_responses, announcements,
announcement_recipients). On PostgreSQL each gets row-level security as 0004 set it up:
ENABLE and FORCE, and the tenant_isolation policy on the transaction's joren.tenant_id (or
joren.bypass). They start empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "meetup_questions",
    "registration_answers",
    "survey_responses",
    "announcements",
    "announcement_recipients",
)
CONDITION = (
    "current_setting('joren.bypass', true) = 'on' "
    "OR tenant_id = NULLIF(current_setting('joren.tenant_id', true), '')::integer"
)


def _secure() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(
            f'CREATE POLICY tenant_isolation ON "{table}" '
            f"USING ({CONDITION}) WITH CHECK ({CONDITION})"
        )


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "segment",
            sa.Enum(
                "everyone",
                "regulars",
                "lapsed_regulars",
                "registered",
                "not_registered",
                "guests",
                name="segment",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("meetup_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "scheduled",
                "sending",
                "sent",
                "cancelled",
                name="announcementstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("created_by_name", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meetup_id"],
            ["meetups.tenant_id", "meetups.id"],
            name=op.f("fk_announcements_tenant_id_meetup_id_meetups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_announcements_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_announcements_tenant_id_id")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "ix_announcements_tenant_status_send", ["tenant_id", "status", "send_at"], unique=False
        )

    op.create_table(
        "meetup_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("meetup_id", sa.Integer(), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum("registration", "survey", name="questionpurpose", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "text", "single", "multiple", name="questionkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.String(length=300), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meetup_id"],
            ["meetups.tenant_id", "meetups.id"],
            name=op.f("fk_meetup_questions_tenant_id_meetup_id_meetups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "series_id"],
            ["meetup_series.tenant_id", "meetup_series.id"],
            name=op.f("fk_meetup_questions_tenant_id_series_id_meetup_series"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_meetup_questions_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetup_questions")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_meetup_questions_tenant_id_id")),
    )
    with op.batch_alter_table("meetup_questions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetup_questions_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_meetup_questions_tenant_meetup", ["tenant_id", "meetup_id"], unique=False
        )
        batch_op.create_index(
            "ix_meetup_questions_tenant_series", ["tenant_id", "series_id"], unique=False
        )

    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meetup_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meetup_id"],
            ["meetups.tenant_id", "meetups.id"],
            name=op.f("fk_survey_responses_tenant_id_meetup_id_meetups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_survey_responses_tenant_id_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_survey_responses_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_survey_responses_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "meetup_id",
            "member_id",
            name=op.f("uq_survey_responses_tenant_id_meetup_id_member_id"),
        ),
    )
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_responses_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_survey_responses_tenant_meetup", ["tenant_id", "meetup_id"], unique=False
        )

    op.create_table(
        "announcement_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_announcement_recipients_outbox_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "announcement_id"],
            ["announcements.tenant_id", "announcements.id"],
            name=op.f("fk_announcement_recipients_tenant_id_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_announcement_recipients_tenant_id_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_announcement_recipients_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_recipients")),
        sa.UniqueConstraint(
            "tenant_id",
            "announcement_id",
            "member_id",
            name=op.f("uq_announcement_recipients_tenant_id_announcement_id_member_id"),
        ),
        sa.UniqueConstraint(
            "tenant_id", "id", name=op.f("uq_announcement_recipients_tenant_id_id")
        ),
    )
    with op.batch_alter_table("announcement_recipients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_announcement_recipients_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_announcement_recipients_tenant_queue",
            ["tenant_id", "announcement_id", "outbox_message_id"],
            unique=False,
        )

    op.create_table(
        "registration_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "question_id"],
            ["meetup_questions.tenant_id", "meetup_questions.id"],
            name=op.f("fk_registration_answers_tenant_id_question_id_meetup_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "registration_id"],
            ["registrations.tenant_id", "registrations.id"],
            name=op.f("fk_registration_answers_tenant_id_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["communities.id"],
            name=op.f("fk_registration_answers_tenant_id_communities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_answers")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_registration_answers_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "registration_id",
            "question_id",
            name=op.f("uq_registration_answers_tenant_id_registration_id_question_id"),
        ),
    )
    with op.batch_alter_table("registration_answers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registration_answers_tenant_id"), ["tenant_id"], unique=False
        )

    _secure()


def downgrade() -> None:
    with op.batch_alter_table("registration_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registration_answers_tenant_id"))

    op.drop_table("registration_answers")
    with op.batch_alter_table("announcement_recipients", schema=None) as batch_op:
        batch_op.drop_index("ix_announcement_recipients_tenant_queue")
        batch_op.drop_index(batch_op.f("ix_announcement_recipients_tenant_id"))

    op.drop_table("announcement_recipients")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_responses_tenant_meetup")
        batch_op.drop_index(batch_op.f("ix_survey_responses_tenant_id"))

    op.drop_table("survey_responses")
    with op.batch_alter_table("meetup_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_meetup_questions_tenant_series")
        batch_op.drop_index("ix_meetup_questions_tenant_meetup")
        batch_op.drop_index(batch_op.f("ix_meetup_questions_tenant_id"))

    op.drop_table("meetup_questions")
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index("ix_announcements_tenant_status_send")
        batch_op.drop_index(batch_op.f("ix_announcements_tenant_id"))

    op.drop_table("announcements")
