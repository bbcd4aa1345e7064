from __future__ import annotations

from typing import Any

from django import forms

from .access import scope_for
from .models import MemberOrganization, Person, Region


def regions_for(user: Any):
    """The regions a user may attach new data to: their own subtree (all for superusers)."""
    scope = scope_for(user)
    if scope.kind == "all":
        return Region.objects.all()
    if scope.kind == "region":
        return Region.objects.filter(code__startswith=scope.region_prefix)
    return Region.objects.none()


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose foreign-key choices are limited to what the user may see."""

    scoped_fields: dict[str, Any] = {}

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = model.objects.visible_to(user)
        if "region" in self.fields:
            self.fields["region"].queryset = regions_for(user)


class OrganizationForm(ScopedModelForm):
    scoped_fields = {"secretary": Person}

    class Meta:
        model = MemberOrganization
        fields = ["name", "kind", "region", "star_rating", "secretary", "contact_phone"]


class PersonForm(ScopedModelForm):
    scoped_fields = {"organization": MemberOrganization}

    class Meta:
        model = Person
        fields = ["name", "mobile", "id_number", "organization", "title", "is_party_member"]
