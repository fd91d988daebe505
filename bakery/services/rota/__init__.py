"""The weekly rota: planning a week's shifts (add, change, copy, remove, copy last week, templates),
the warnings while planning, publishing, planned against clocked, and the week on A4.
"""

from bakery.services.rota.attendance import DayReport, PersonDay, day_attendance, day_report, flags_now
from bakery.services.rota.plan import (
    Person,
    RoleView,
    ShiftView,
    WeekPlan,
    active_roles,
    check_monday,
    plannable_people,
    shift_or_404,
    week_plan,
    week_warnings,
)
from bakery.services.rota.printout import week_pdf
from bakery.services.rota.setup import grant_skill, save_role, save_skill, set_profile
from bakery.services.rota.shifts import (
    MAX_BREAK,
    ChangedMeanwhile,
    ShiftIn,
    add_shift,
    change_shift,
    copy_shift,
    publish_week,
    remove_shift,
)
from bakery.services.rota.templates import apply_template, copy_last_week, save_template, templates

__all__ = [
    "MAX_BREAK",
    "ChangedMeanwhile",
    "DayReport",
    "Person",
    "PersonDay",
    "RoleView",
    "ShiftIn",
    "ShiftView",
    "WeekPlan",
    "active_roles",
    "add_shift",
    "apply_template",
    "change_shift",
    "check_monday",
    "copy_last_week",
    "copy_shift",
    "day_attendance",
    "day_report",
    "flags_now",
    "grant_skill",
    "plannable_people",
    "publish_week",
    "remove_shift",
    "save_role",
    "save_skill",
    "save_template",
    "set_profile",
    "shift_or_404",
    "templates",
    "week_pdf",
    "week_plan",
    "week_warnings",
]
