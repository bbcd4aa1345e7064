"""Regions, member organizations, people and the access profile of each user."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.validators import (
    ID_NUMBER_RE,
    MOBILE_RE,
    PHONE_RE,
    REGION_CODE_RE,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_mobile,
    validate_phone,
    validate_region_code,
)

from .access import PERSON_ROLES, REGION_ROLES, ROLE_LEVEL, Role, ScopedQuerySet
from .pinyin import initials_of, pinyin_of


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


PINYIN_FIELDS = ["name_pinyin", "name_initials"]


class PinyinNamed(models.Model):
    """A row whose name (``pinyin_source``) lists sort by pinyin and search finds by pinyin
    initials: both are kept in columns, set on every save (members.pinyin). Rows written
    around ``save()`` (the large seed) set them the same way (members.bulk)."""

    pinyin_source = "name"

    name_pinyin = models.CharField(_("名称拼音"), max_length=600, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(_("名称拼音首字母"), max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.set_pinyin()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.pinyin_source in update_fields:
            kwargs["update_fields"] = {*update_fields, *PINYIN_FIELDS}
        super().save(*args, **kwargs)

    def set_pinyin(self) -> None:
        source = getattr(self, self.pinyin_source) or ""
        self.name_pinyin, self.name_initials = pinyin_of(source), initials_of(source)


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("区县")
    TOWNSHIP = "township", _("镇街")
    VILLAGE = "village", _("村社区")


# How many leading digits of the 12-digit code are significant at each level (GB/T 2260
# for the first six, then three for the township and three for the village).
LEVEL_DIGITS = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}
LEVEL_ORDER = list(LEVEL_DIGITS)


def region_prefix(code: str, level: str) -> str:
    return code[: LEVEL_DIGITS[level]]


def lineage_codes(code: str, level: str, *, include_self: bool = True) -> list[str]:
    """The codes of the regions above this one (province first), and its own."""
    upto = LEVEL_ORDER.index(level) + (1 if include_self else 0)
    return [region_prefix(code, above).ljust(12, "0") for above in LEVEL_ORDER[:upto]]


def in_subtree(prefix: str, path: str = "") -> Q:
    """The one rule of "this region and everything under it": the rows whose region at
    ``path`` (a lookup path to a Region, e.g. ``"alliance__lead_region"``; empty for regions
    themselves) has a code starting with ``prefix`` (``Region.prefix``, a scope's
    ``region_prefix``). One indexed prefix match."""
    return Q(**{f"{path}__code__startswith" if path else "code__startswith": prefix})


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: Region | str) -> RegionQuerySet:
        """This region (or the region with this code prefix) and every region below it."""
        return self.filter(in_subtree(region if isinstance(region, str) else region.prefix))

    def visible_to(self, user) -> RegionQuerySet:
        """Regions are public reference data (GB/T 2260): every signed-in user sees them."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.all()

    def in_scope_of(self, user) -> RegionQuerySet:
        """The regions the user works in, for pickers: staff and viewers their region and
        everything below it; a leader the lead regions of their alliances and below; a
        steward the regions of the workshops they keep; a superuser every region."""
        from django.apps import apps

        from .access import leader_alliance_ids, scope_for

        scope = scope_for(user)
        if scope.kind == "all":
            return self.all()
        if scope.kind == "region":
            return self.subtree(scope.region_prefix)
        if scope.kind == "leader":
            Alliance = apps.get_model("alliances", "Alliance")
            leads = Alliance.objects.filter(pk__in=leader_alliance_ids(scope.user_id)).select_related("lead_region")
            condition = Q()
            for alliance in leads:
                condition |= in_subtree(alliance.lead_region.prefix)
            return self.filter(condition) if condition else self.none()
        if scope.kind == "steward":
            Workshop = apps.get_model("workshops", "Workshop")
            return self.filter(pk__in=Workshop.objects.visible_to(user).values("region_id"))
        return self.none()


class Region(PinyinNamed):
    code = models.CharField(_("行政区划代码"), max_length=12, unique=True, validators=[validate_region_code])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=REGION_CODE_RE), name="region_code_12_digits"),
            models.CheckConstraint(
                condition=(
                    Q(level="province", code__endswith="0000000000")
                    | Q(level="city", code__endswith="00000000")
                    | Q(level="county", code__endswith="000000")
                    | Q(level="township", code__endswith="000")
                    | Q(level="village")
                ),
                name="region_code_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(level="province") | Q(parent__isnull=False), name="region_parent_below_province"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return region_prefix(self.code, self.level)

    def within(self, path: str) -> Q:
        """The rows whose region at ``path`` (a foreign key to Region, e.g.
        ``"alliance__lead_region"``) is this region or one below it.

        Up to a county's size (about 130 regions), by the ids of those regions, read by one
        subquery before the query (``path__any``): the planner then finds the rows through
        the foreign key's index. Joined to the regions and matched by code prefix instead,
        a county's active workshops took about five times as long (a scan of the province's
        15,000). A city's thousands of ids would be compared one by one with every row, so
        above a county the prefix stays."""
        if LEVEL_DIGITS[self.level] >= LEVEL_DIGITS[RegionLevel.COUNTY]:
            return Q(**{f"{path}__any": Region.objects.subtree(self).values("pk")})
        return in_subtree(self.prefix, path)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.code and self.level and len(self.code) == 12 and self.code.isdigit():
            digits = LEVEL_DIGITS[self.level]
            if self.code[digits:].strip("0"):
                errors["code"] = _("该层级的代码末尾 %(n)s 位必须为 0。") % {"n": 12 - digits}
        if self.parent_id and self.level:
            parent = self.parent
            if LEVEL_ORDER.index(parent.level) >= LEVEL_ORDER.index(self.level):
                errors["parent"] = _("上级区划的层级必须高于本区划。")
            elif self.code and not self.code.startswith(parent.prefix):
                errors["code"] = _("代码必须以上级区划的代码 %(prefix)s 开头。") % {"prefix": parent.prefix}
        elif self.level and self.level != RegionLevel.PROVINCE:
            errors["parent"] = _("除省级外，必须指定上级区划。")
        if errors:
            raise ValidationError(errors)

    def ancestors(self) -> RegionQuerySet:
        """The chain above this region, by code prefixes: one query."""
        return Region.objects.filter(code__in=self.lineage_codes(include_self=False)).order_by("code")

    def lineage_codes(self, *, include_self: bool = True) -> list[str]:
        return lineage_codes(self.code, self.level, include_self=include_self)


class OrganizationKind(models.TextChoices):
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    GOVERNMENT = "government", _("机关")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    NEW_ORG = "new_org", _("两新组织")
    COOPERATIVE = "cooperative", _("合作社")
    UNIVERSITY = "university", _("高校院所")


class MemberOrganizationQuerySet(ScopedQuerySet):
    region_path = "region"
    alliance_path = "memberships__alliance"


class MemberOrganization(PinyinNamed, TimeStamped):
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=20, choices=OrganizationKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="organizations"
    )
    star_rating = models.PositiveSmallIntegerField(
        _("星级"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1–5 星，未评定留空。"),
    )
    secretary = models.ForeignKey(
        "Person",
        verbose_name=_("党组织书记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])

    objects = MemberOrganizationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=PINYIN_FIELDS)

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["region__code", "name_pinyin"]
        constraints = [
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                name="organization_star_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(contact_phone="") | Q(contact_phone__regex=PHONE_RE), name="organization_phone_format"
            ),
            models.UniqueConstraint(fields=["region", "name"], name="organization_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:organization-detail", args=[self.pk])

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)


class PersonQuerySet(ScopedQuerySet):
    region_path = "organization__region"
    alliance_path = "organization__memberships__alliance"


class Person(PinyinNamed, TimeStamped):
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[validate_mobile])
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True, validators=[validate_id_number])
    organization = models.ForeignKey(
        MemberOrganization,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    title = models.CharField(_("职务"), max_length=100, blank=True)
    is_party_member = models.BooleanField(_("党员"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["id_number", *PINYIN_FIELDS])

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(mobile="") | Q(mobile__regex=MOBILE_RE), name="person_mobile_format"),
            models.CheckConstraint(
                condition=Q(id_number="") | Q(id_number__regex=ID_NUMBER_RE), name="person_id_number_format"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class AccessProfile(models.Model):
    """A user's role and the region (for staff and viewers) it applies to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="access_profile"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("管辖区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("权限范围")
        verbose_name_plural = _("权限范围")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=PERSON_ROLES, region__isnull=True)
                | (~Q(role__in=PERSON_ROLES) & Q(region__isnull=False)),
                name="access_profile_region_matches_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role in REGION_ROLES and self.region_id is None:
            raise ValidationError({"region": _("该角色必须指定管辖区域。")})
        if self.role in PERSON_ROLES and self.region_id is not None:
            raise ValidationError({"region": _("联盟带头人和助富管家的范围由其担任的职务决定，不指定区域。")})
        expected = ROLE_LEVEL.get(self.role)
        if expected and self.region_id and self.region.level != expected:
            raise ValidationError(
                {"region": _("该角色的管辖区域必须是“%(level)s”级。") % {"level": RegionLevel(expected).label}}
            )


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user) -> NoticeQuerySet:
        """A notice is for its addressee alone; a caller without an account (anonymous,
        a big-screen API token) has none."""
        if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """An in-app notice for one user (shown at the top of their pages until read)."""

    class Kind(models.TextChoices):
        PROGRESS_REMINDER = "progress_reminder", _("进度填报提醒")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    period_start = models.DateField(_("所属期间"))
    message = models.CharField(_("内容"), max_length=300)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    emailed = models.BooleanField(_("已发送邮件"), default=False)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内提醒")
        verbose_name_plural = _("站内提醒")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "period_start"], name="notice_once_per_period")]

    def __str__(self) -> str:
        return f"{self.user} · {self.message}"


class ApiTokenQuerySet(ScopedQuerySet):
    region_path = "region"
    alliance_path = None

    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A read-only key for a big-screen dashboard client: it reads what a viewer of its
    region reads. Only the SHA-256 of the key is stored; the key is shown once."""

    name = models.CharField(_("名称"), max_length=100, help_text=_("例如：县委大厅大屏。"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("数据范围"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("令牌只能读取该区域及其下级的数据。"),
    )
    prefix = models.CharField(_("令牌前缀"), max_length=16, editable=False)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("大屏接口令牌")
        verbose_name_plural = _("大屏接口令牌")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="apitoken_key_hash_sha256"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="apitoken_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
