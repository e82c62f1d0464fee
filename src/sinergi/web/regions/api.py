"""API for regions: read-only, public."""

from __future__ import annotations

import django_filters
from rest_framework import viewsets
from rest_framework.routers import BaseRouter

from sinergi.web.api.filters import BooleanFilter, ChoiceFilter, FilterSet
from sinergi.web.api.serializers import ModelSerializer
from sinergi.web.regions.models import Level, Region


class RegionSerializer(ModelSerializer[Region]):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "active"]


class RegionFilter(FilterSet):
    parent = django_filters.CharFilter(field_name="parent_id", help_text="Children of this code.")
    level = ChoiceFilter(choices=Level.choices)
    within = django_filters.CharFilter(method="filter_within", help_text="This code's subtree.")
    active = BooleanFilter()
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Region
        fields = ["parent", "level", "within", "active", "name"]

    def filter_within(self, queryset, _name, value):  # type: ignore[no-untyped-def]
        return queryset.subtree(value)


class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """Regions of the Kemendagri hierarchy, e.g. ``?parent=16.07`` for Banyuasin's kecamatan."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    lookup_value_regex = r"[0-9.]+"


def register(router: BaseRouter) -> None:
    router.register("regions", RegionViewSet)
