"""factory_boy factories of the members app (users, regions, organizations, people, departments);
each builds a valid row with the fewest inputs."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from members.models import AccessProfile, Department, MemberOrganization, Person, Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-pass-2026")


class RegionFactory(factory.django.DjangoModelFactory):
    """A county by default; pass ``level`` and ``parent`` for other levels."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    level = "county"
    code = factory.Sequence(lambda n: f"3302{n % 90 + 10:02d}000000")
    name = factory.Sequence(lambda n: f"测试区{n}")
    parent = factory.LazyFunction(
        lambda: Region.objects.get_or_create(
            code="330200000000",
            defaults={
                "name": "宁波市",
                "level": "city",
                "parent": Region.objects.get_or_create(
                    code="330000000000", defaults={"name": "浙江省", "level": "province"}
                )[0],
            },
        )[0]
    )


def township(county: Region, number: int = 1, name: str | None = None) -> Region:
    code = f"{county.code[:6]}{number:03d}000"
    return Region.objects.get_or_create(
        code=code, defaults={"name": name or f"{county.name}{number}镇", "level": "township", "parent": county}
    )[0]


def village(town: Region, number: int = 1, name: str | None = None) -> Region:
    code = f"{town.code[:9]}{number:03d}"
    return Region.objects.get_or_create(
        code=code, defaults={"name": name or f"{town.name}{number}村", "level": "village", "parent": town}
    )[0]


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberOrganization

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = "village"
    region = factory.SubFactory(RegionFactory)
    star_rating = 4


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    organization = factory.SubFactory(OrganizationFactory)


def user_with_scope(username: str, role: str, region: Region | None = None, **extra):
    user = UserFactory(username=username, **extra)
    AccessProfile.objects.update_or_create(user=user, defaults={"role": role, "region": region})
    return user


class DepartmentFactory(factory.django.DjangoModelFactory):
    """A county department (县属部门); pass ``kind="township"`` for a township as assignee."""

    class Meta:
        model = Department

    county = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"测试局{n}")
    kind = "county_department"


def liaison_of(department: Department, username: str = "dora", **extra):
    """A log-in for a department's liaison (部门联络员)."""
    user = UserFactory(username=username, **extra)
    AccessProfile.objects.update_or_create(
        user=user, defaults={"role": "department_liaison", "region": None, "department": department}
    )
    return user
