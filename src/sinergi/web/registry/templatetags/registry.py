"""Labels of the registry's codes (stored in English, shown translated) and the
registry navigation link."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS: dict[str, dict[str, Any]] = {
    "floor_material": {
        "ceramic": _("ceramic / tiles"),
        "cement": _("cement"),
        "wood": _("wood"),
        "bamboo": _("bamboo"),
        "earth": _("earth"),
    },
    "wall_material": {
        "masonry": _("masonry"),
        "wood": _("wood"),
        "bamboo": _("bamboo"),
        "other": _("other"),
    },
    "roof_material": {
        "tile": _("roof tile"),
        "metal": _("metal sheet"),
        "asbestos": _("asbestos"),
        "thatch": _("thatch / palm leaves"),
        "other": _("other"),
    },
    "drinking_water": {
        "piped": _("piped water"),
        "bottled": _("bottled / refill water"),
        "protected_well": _("protected well or spring"),
        "unprotected": _("unprotected well or spring"),
        "surface": _("river, lake or rain water"),
    },
    "sanitation": {"private": _("own toilet"), "shared": _("shared toilet"), "none": _("none")},
    "electricity": {
        "pln_metered": _("PLN, metered"),
        "pln_unmetered": _("PLN, not metered"),
        "none": _("no electricity"),
    },
    "cooking_fuel": {
        "gas": _("gas (LPG)"),
        "electric": _("electricity"),
        "kerosene": _("kerosene"),
        "wood": _("firewood"),
        "other": _("other"),
    },
    "sex": {"M": _("male"), "F": _("female"), "L": _("male"), "P": _("female")},
    "relationship": {
        "head": _("head of household"),
        "spouse": _("spouse"),
        "child": _("child"),
        "parent": _("parent / in-law"),
        "other": _("other"),
    },
    "education": {
        "none": _("no schooling"),
        "primary": _("primary (SD)"),
        "junior": _("junior secondary (SMP)"),
        "senior": _("senior secondary (SMA/SMK)"),
        "tertiary": _("higher education"),
    },
    "work_sector": {
        "none": _("not working"),
        "agriculture": _("agriculture"),
        "industry": _("industry"),
        "services": _("services"),
    },
    "file": {"households": _("households file"), "members": _("members file")},
    "column": {
        "household_id": _("household id"),
        "kk": _("KK number"),
        "nik": _("NIK"),
        "desa_code": _("desa code"),
        "address": _("address"),
        "floor_area_m2": _("floor area (m²)"),
        "floor_material": _("floor"),
        "wall_material": _("walls"),
        "roof_material": _("roof"),
        "drinking_water": _("drinking water"),
        "sanitation": _("toilet"),
        "electricity": _("electricity"),
        "cooking_fuel": _("cooking fuel"),
        "has_motorcycle": _("motorcycle"),
        "has_car": _("car"),
        "has_refrigerator": _("refrigerator"),
        "has_tv": _("television"),
        "has_smartphone": _("smartphone"),
        "livestock_units": _("livestock (units)"),
        "land_ha": _("land (ha)"),
        "decile": _("decile"),
        "full_name": _("full name"),
        "sex": _("sex"),
        "birth_date": _("birth date"),
        "relationship": _("relationship to the head"),
        "education": _("education"),
        "work_sector": _("work sector"),
    },
    "indicator": {
        "earth_floor": _("Earth floor"),
        "bamboo_wall": _("Bamboo walls"),
        "thatch_roof": _("Thatch or palm-leaf roof"),
        "unsafe_water": _("Unprotected or surface drinking water"),
        "no_sanitation": _("No toilet"),
        "no_electricity": _("No electricity"),
        "wood_fuel": _("Cooking with firewood"),
        "crowded": _("Less than 8 m² of floor per person"),
        "no_assets": _("None of the listed assets"),
    },
}

ASSETS = ("has_motorcycle", "has_car", "has_refrigerator", "has_tv", "has_smartphone")


@register.filter
def code_label(value: Any, kind: str) -> Any:
    """The translated label of a stored code (``{{ m.sex|code_label:"sex" }}``); an unknown
    code is shown as it is; a missing one as a dash."""
    if value is None or value == "":
        return "–"
    return LABELS.get(kind, {}).get(str(value), value)


@register.filter
def yes_no(value: Any) -> Any:
    if value is None:
        return "–"
    return _("yes") if int(value) else _("no")


@register.simple_tag(takes_context=True)
def registry_nav(context: dict[str, Any]) -> SafeString | str:
    """The "Registry" top-bar link, for the roles the registry policy lets in."""
    request = context.get("request")
    if request is None:
        return ""
    from sinergi.web.registry.policy import RegistryPolicy

    if not RegistryPolicy.for_user(request.user).can_view_registry:
        return ""
    return format_html('<a href="{}">{}</a>', reverse("registry-home"), _("Registry"))


@register.filter
def reason_label(code: Any) -> Any:
    """The translated message of an import reason code (``REASONS`` of the schema)."""
    from django.utils.translation import gettext

    from sinergi.targeting.schema import REASONS

    text = REASONS.get(str(code))
    return gettext(text) if text else code


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ names|get:code }}``: a dictionary lookup by a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
