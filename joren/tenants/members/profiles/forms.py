"""Forms of the profile pages and the directory; the rules live in members.profiles."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from joren.platform.i18n import current_language
from joren.platform.membership.models import ProfileVisibility
from joren.tenants.members import vocabulary
from joren.tenants.members.industries import COMPANY_SIZES, INDUSTRIES, PREFECTURES
from joren.tenants.members.profiles.services import MAX_OFFERS


def _labelled(table: dict[str, Any], empty: Any) -> list[tuple[str, str]]:
    language = current_language()
    return [("", str(empty)), *((code, label(language)) for code, label in table.items())]


def concept_choices() -> list[tuple[str, str]]:
    """The vocabulary's specific concepts a member may pick, by label in the reader's
    language."""
    return vocabulary.pickable(current_language())


def industry_choices() -> list[tuple[str, str]]:
    language = current_language()
    return [(code, f"{code} {label(language)}") for code, label in INDUSTRIES.items()]


def size_choices() -> list[tuple[str, str]]:
    language = current_language()
    return [(code, label(language)) for code, label in COMPANY_SIZES.items()]


def _visibility_choices() -> list[tuple[str, Any]]:
    return [(ProfileVisibility.MEMBERS.value, _l("Members of this community")),
            (ProfileVisibility.ORGANIZERS.value, _l("Organizers only"))]


class ListField(Field):
    """Every submitted value of one name (repeated inputs or check boxes), unvalidated."""

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(valuelist)

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


def _select(label: Any, choices: Any) -> SelectField:
    return SelectField(label, choices=choices, validate_choice=False)


def _visibility(label: Any) -> SelectField:
    return SelectField(label, choices=_visibility_choices, validate_choice=False)


class ProfileForm(FlaskForm):
    family_name = StringField(_l("Family name"))
    given_name = StringField(_l("Given name"))
    family_name_kana = StringField(_l("Family name reading (katakana)"))
    given_name_kana = StringField(_l("Given name reading (katakana)"))
    company = StringField(_l("Company"))
    department = StringField(_l("Department"))
    title = StringField(_l("Job title"))
    industry_code = _select(_l("Industry"),
                            lambda: _labelled(INDUSTRIES, _l("Choose an industry")))
    business_description = TextAreaField(_l("What your business does"))
    company_size = _select(_l("Company size"),
                           lambda: _labelled(COMPANY_SIZES, _l("Choose a size")))
    prefecture = _select(_l("Prefecture"),
                         lambda: _labelled(PREFECTURES, _l("Choose a prefecture")))
    website = StringField(_l("Website"), description=_l("For example https://example.co.jp"))
    offers = ListField(_l("What you can offer (up to three)"))
    ask_industries = ListField(_l("Industries you want to meet"))
    ask_company_sizes = ListField(_l("Company sizes you want to meet"))
    offer_concepts = ListField(_l("Services you provide"))
    need_concepts = ListField(_l("What you need help with"))
    ask_description = TextAreaField(
        _l("Who you want to meet"),
        description=_l("For example: the president of a manufacturer with 20 to 50 employees "
                       "who is struggling to hire"))
    challenges = TextAreaField(_l("Current challenges"))
    goal_meetup = TextAreaField(_l("Goal for this meetup"))
    goal_midterm = TextAreaField(_l("Goal for the next 3 to 6 months"))
    goal_year = TextAreaField(_l("Goal for the next year"))
    seeks_same_industry = BooleanField(_l("I am looking for partners in my own industry"))
    accepts_introductions = BooleanField(_l("I agree to receive introductions to other members"))
    contact_visibility = _visibility(_l("Who sees my contact details (email, website)"))
    work_visibility = _visibility(_l("Who sees my work (company, title, industry, size, region)"))
    give_ask_visibility = _visibility(_l("Who sees what I offer and whom I want to meet"))
    goals_visibility = _visibility(_l("Who sees my goals and challenges"))

    NAMES = ("family_name", "given_name", "family_name_kana", "given_name_kana", "company",
             "department", "title", "industry_code", "business_description", "company_size",
             "prefecture", "website", "offers", "ask_industries", "ask_company_sizes",
             "offer_concepts", "need_concepts",
             "ask_description", "challenges", "goal_meetup", "goal_midterm", "goal_year",
             "seeks_same_industry", "accepts_introductions", "contact_visibility",
             "work_visibility", "give_ask_visibility", "goals_visibility")

    def submitted(self) -> dict[str, Any]:
        return {name: self[name].data for name in self.NAMES}

    def load(self, member: Any) -> None:
        """Fill the form from a member row (GET)."""
        for name in self.NAMES:
            if name == "offers":
                self.offers.data = [member.offer_1, member.offer_2, member.offer_3]
            elif name in ("ask_industries", "ask_company_sizes"):
                self[name].data = [c for c in getattr(member, name).split(",") if c]
            elif name in ("offer_concepts", "need_concepts"):
                self[name].data = list(vocabulary.parse_picks(getattr(member, name)))
            elif name.endswith("_visibility"):
                self[name].data = getattr(member, name).value
            else:
                self[name].data = getattr(member, name)

    def offer_slots(self) -> list[str]:
        values = [v for v in (self.offers.data or [])]
        return values + [""] * max(0, MAX_OFFERS - len(values))


class DirectoryFilterForm(FlaskForm):
    """The search box and filters above the directory (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), description=_l("Name (kanji, kana or romaji), company, "
                                                 "industry or what they offer"))
    industry = SelectField(_l("Industry"), validators=[Optional()],
                           choices=lambda: _labelled(INDUSTRIES, _l("All industries")))
    level = SelectField(_l("Engagement"), validators=[Optional()], choices=lambda: [])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])
