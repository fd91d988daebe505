"""the weekly rota: roles and skills (held with expiry), profiles (hours limit, hourly rate), weeks
and their shifts, templates, availability, swaps, time off, calendar feed tokens and what each
member has seen of a published week

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 16:04:21.732733

"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rota_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('min_staff', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('length(colour) = 7', name=op.f('ck_rota_roles_colour_is_hex')),
    sa.CheckConstraint('min_staff >= 0 AND min_staff <= 50', name=op.f('ck_rota_roles_min_staff_in_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_roles')),
    sa.UniqueConstraint('name', name=op.f('uq_rota_roles_name'))
    )
    op.create_table('rota_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_skills')),
    sa.UniqueConstraint('name', name=op.f('uq_rota_skills_name'))
    )
    op.create_table('rota_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('available', 'unavailable')", name=op.f('ck_rota_availability_known_kind')),
    sa.CheckConstraint('(weekday IS NULL) <> (on_date IS NULL)', name=op.f('ck_rota_availability_weekday_or_date')),
    sa.CheckConstraint('end_minute > start_minute AND end_minute <= 1440', name=op.f('ck_rota_availability_end_after_start')),
    sa.CheckConstraint('start_minute >= 0 AND start_minute < 1440', name=op.f('ck_rota_availability_start_in_day')),
    sa.CheckConstraint('weekday IS NULL OR weekday BETWEEN 0 AND 6', name=op.f('ck_rota_availability_weekday_in_week')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_availability_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_availability'))
    )
    with op.batch_alter_table('rota_availability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_availability_user_id'), ['user_id'], unique=False)

    op.create_table('rota_feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_feed_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_rota_feed_tokens_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_rota_feed_tokens_user_id'))
    )
    op.create_table('rota_person_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('gained_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.CheckConstraint('expires_on IS NULL OR expires_on >= gained_on', name=op.f('ck_rota_person_skills_expires_after_gained')),
    sa.ForeignKeyConstraint(['skill_id'], ['rota_skills.id'], name=op.f('fk_rota_person_skills_skill_id_rota_skills')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_person_skills_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_person_skills')),
    sa.UniqueConstraint('user_id', 'skill_id', name='uq_rota_person_skills_user_skill')
    )
    with op.batch_alter_table('rota_person_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_person_skills_skill_id'), ['skill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_person_skills_user_id'), ['user_id'], unique=False)

    op.create_table('rota_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week_hours_limit', sa.Integer(), nullable=True),
    sa.Column('hourly_rate_pence', sa.Integer(), nullable=True),
    sa.CheckConstraint('hourly_rate_pence IS NULL OR hourly_rate_pence >= 0', name=op.f('ck_rota_profiles_rate_not_negative')),
    sa.CheckConstraint('week_hours_limit IS NULL OR week_hours_limit BETWEEN 1 AND 100', name=op.f('ck_rota_profiles_limit_in_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_profiles_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_rota_profiles'))
    )
    op.create_table('rota_role_skills',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['rota_roles.id'], name=op.f('fk_rota_role_skills_role_id_rota_roles')),
    sa.ForeignKeyConstraint(['skill_id'], ['rota_skills.id'], name=op.f('fk_rota_role_skills_skill_id_rota_skills')),
    sa.PrimaryKeyConstraint('role_id', 'skill_id', name=op.f('pk_rota_role_skills'))
    )
    op.create_table('rota_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rota_templates_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_templates')),
    sa.UniqueConstraint('name', name=op.f('uq_rota_templates_name'))
    )
    op.create_table('rota_time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('requested', 'approved', 'refused', 'withdrawn')", name=op.f('ck_rota_time_off_known_state')),
    sa.CheckConstraint('to_date >= from_date', name=op.f('ck_rota_time_off_ends_after_it_starts')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rota_time_off_decided_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_time_off_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_time_off'))
    )
    with op.batch_alter_table('rota_time_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_time_off_user_id'), ['user_id'], unique=False)

    op.create_table('rota_weeks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monday', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_version', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_rota_weeks_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_weeks')),
    sa.UniqueConstraint('monday', name=op.f('uq_rota_weeks_monday'))
    )
    op.create_table('rota_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week_id', sa.Integer(), nullable=False),
    sa.Column('seen_version', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_seen_user_id_users')),
    sa.ForeignKeyConstraint(['week_id'], ['rota_weeks.id'], name=op.f('fk_rota_seen_week_id_rota_weeks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_seen')),
    sa.UniqueConstraint('user_id', 'week_id', name='uq_rota_seen_user_week')
    )
    with op.batch_alter_table('rota_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_seen_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_seen_week_id'), ['week_id'], unique=False)

    op.create_table('rota_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('skill_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_after_publish', sa.Boolean(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('break_minutes >= 0', name=op.f('ck_rota_shifts_break_not_negative')),
    sa.CheckConstraint('end_minute > start_minute AND end_minute <= start_minute + 1440', name=op.f('ck_rota_shifts_end_after_start')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_rota_shifts_ends_after_it_starts')),
    sa.CheckConstraint('start_minute >= 0 AND start_minute < 1440', name=op.f('ck_rota_shifts_start_in_day')),
    sa.ForeignKeyConstraint(['role_id'], ['rota_roles.id'], name=op.f('fk_rota_shifts_role_id_rota_roles')),
    sa.ForeignKeyConstraint(['skill_id'], ['rota_skills.id'], name=op.f('fk_rota_shifts_skill_id_rota_skills')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_rota_shifts_updated_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_shifts_user_id_users')),
    sa.ForeignKeyConstraint(['week_id'], ['rota_weeks.id'], name=op.f('fk_rota_shifts_week_id_rota_weeks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_shifts'))
    )
    with op.batch_alter_table('rota_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_shifts_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_shifts_role_id'), ['role_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_shifts_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_shifts_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_shifts_week_id'), ['week_id'], unique=False)

    op.create_table('rota_template_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('break_minutes', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('skill_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('end_minute > start_minute AND end_minute <= start_minute + 1440', name=op.f('ck_rota_template_lines_end_after_start')),
    sa.CheckConstraint('start_minute >= 0 AND start_minute < 1440', name=op.f('ck_rota_template_lines_start_in_day')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_rota_template_lines_weekday_in_week')),
    sa.ForeignKeyConstraint(['role_id'], ['rota_roles.id'], name=op.f('fk_rota_template_lines_role_id_rota_roles')),
    sa.ForeignKeyConstraint(['skill_id'], ['rota_skills.id'], name=op.f('fk_rota_template_lines_skill_id_rota_skills')),
    sa.ForeignKeyConstraint(['template_id'], ['rota_templates.id'], name=op.f('fk_rota_template_lines_template_id_rota_templates')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rota_template_lines_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_template_lines'))
    )
    with op.batch_alter_table('rota_template_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_template_lines_template_id'), ['template_id'], unique=False)

    op.create_table('rota_swaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('requested', 'accepted', 'approved', 'refused', 'withdrawn')", name=op.f('ck_rota_swaps_known_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rota_swaps_decided_by_id_users')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_rota_swaps_from_user_id_users')),
    sa.ForeignKeyConstraint(['shift_id'], ['rota_shifts.id'], name=op.f('fk_rota_swaps_shift_id_rota_shifts')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_rota_swaps_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_swaps'))
    )
    with op.batch_alter_table('rota_swaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_swaps_from_user_id'), ['from_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_swaps_shift_id'), ['shift_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_swaps_to_user_id'), ['to_user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('rota_swaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_swaps_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_rota_swaps_shift_id'))
        batch_op.drop_index(batch_op.f('ix_rota_swaps_from_user_id'))

    op.drop_table('rota_swaps')
    with op.batch_alter_table('rota_template_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_template_lines_template_id'))

    op.drop_table('rota_template_lines')
    with op.batch_alter_table('rota_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_shifts_week_id'))
        batch_op.drop_index(batch_op.f('ix_rota_shifts_user_id'))
        batch_op.drop_index(batch_op.f('ix_rota_shifts_starts_at'))
        batch_op.drop_index(batch_op.f('ix_rota_shifts_role_id'))
        batch_op.drop_index(batch_op.f('ix_rota_shifts_day'))

    op.drop_table('rota_shifts')
    with op.batch_alter_table('rota_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_seen_week_id'))
        batch_op.drop_index(batch_op.f('ix_rota_seen_user_id'))

    op.drop_table('rota_seen')
    op.drop_table('rota_weeks')
    with op.batch_alter_table('rota_time_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_time_off_user_id'))

    op.drop_table('rota_time_off')
    op.drop_table('rota_templates')
    op.drop_table('rota_role_skills')
    op.drop_table('rota_profiles')
    with op.batch_alter_table('rota_person_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_person_skills_user_id'))
        batch_op.drop_index(batch_op.f('ix_rota_person_skills_skill_id'))

    op.drop_table('rota_person_skills')
    op.drop_table('rota_feed_tokens')
    with op.batch_alter_table('rota_availability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_availability_user_id'))

    op.drop_table('rota_availability')
    op.drop_table('rota_skills')
    op.drop_table('rota_roles')
