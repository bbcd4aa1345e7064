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

from core.audit import APPEND_ONLY
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

from .access import DEPARTMENT_ROLES, PERSON_ROLES, REGION_ROLES, REGIONLESS_ROLES, ROLE_LEVEL, Role, ScopedQuerySet
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
    around ``save()`` (the large seed) set them the same way (demo.bulk.members)."""

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

        Up to a county's size (about 130 regions), by the list of those regions' ids, read
        first (one query): the planner finds the rows through the foreign key's index.
        Joined to the regions and matched by code prefix instead, a county's active
        workshops took about five times as long (a scan of the province's 15,000); given as
        a subquery, a county's rollup page spent 18–20 ms in its queries against 11–15.
        Above a county the prefix stays: a city's thousands of ids are no narrower than its
        code."""
        if LEVEL_DIGITS[self.level] >= LEVEL_DIGITS[RegionLevel.COUNTY]:
            return Q(**{f"{path}__in": list(Region.objects.subtree(self).values_list("pk", flat=True))})
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


class DepartmentKind(models.TextChoices):
    COUNTY_DEPARTMENT = "county_department", _("县属部门")
    TOWNSHIP = "township", _("乡镇/街道")


class DepartmentQuerySet(ScopedQuerySet):
    """A county's departments: its staff (and the city's above) see them, and so do the
    township staff of the county (the list is published downwards); a liaison sees their
    own department."""

    region_path = "county"
    alliance_path = None
    department_path = "pk"
    published_downwards = True

    def active(self) -> DepartmentQuerySet:
        return self.filter(retired_at__isnull=True)


class Department(PinyinNamed, TimeStamped):
    """A body of a county that tracked items (督办事项) are assigned to: a county department
    (交通、水利、农业农村…) or a township (乡镇/街道). Each county keeps its own list; a
    department that no longer takes items is retired, never deleted (its items stay)."""

    county = models.ForeignKey(
        Region,
        verbose_name=_("所属区县"),
        on_delete=models.PROTECT,
        related_name="departments",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )
    name = models.CharField(_("部门名称"), max_length=100)
    kind = models.CharField(
        _("部门类型"), max_length=20, choices=DepartmentKind.choices, default=DepartmentKind.COUNTY_DEPARTMENT
    )
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True, editable=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("承办部门")
        verbose_name_plural = _("承办部门")
        ordering = ["county__code", "kind", "name_pinyin", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="department_unique_name_in_county",
                violation_error_message=_("本区县已有同名承办部门。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:department-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def clean(self) -> None:
        if self.county_id and self.county.level != RegionLevel.COUNTY:
            raise ValidationError({"county": _("承办部门必须属于区县。")})


class AccessProfile(models.Model):
    """A user's role and the region (for staff and viewers) or the department (for a
    department's liaison) it applies to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="access_profile"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("管辖区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_profiles",
    )

    class Meta:
        verbose_name = _("权限范围")
        verbose_name_plural = _("权限范围")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=REGIONLESS_ROLES, region__isnull=True)
                | (~Q(role__in=REGIONLESS_ROLES) & Q(region__isnull=False)),
                name="access_profile_region_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(role__in=DEPARTMENT_ROLES, department__isnull=False)
                | (~Q(role__in=DEPARTMENT_ROLES) & Q(department__isnull=True)),
                name="access_profile_department_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role in REGION_ROLES and self.region_id is None:
            raise ValidationError({"region": _("该角色必须指定管辖区域。")})
        if self.role in PERSON_ROLES and self.region_id is not None:
            raise ValidationError({"region": _("联盟带头人和助富管家的范围由其担任的职务决定，不指定区域。")})
        if self.role in DEPARTMENT_ROLES:
            if self.region_id is not None:
                raise ValidationError({"region": _("部门联络员的范围由其所属部门决定，不指定区域。")})
            if self.department_id is None:
                raise ValidationError({"department": _("部门联络员必须指定所属部门。")})
        elif self.department_id is not None:
            raise ValidationError({"department": _("只有部门联络员指定所属部门。")})
        expected = ROLE_LEVEL.get(self.role)
        if expected and self.region_id and self.region.level != expected:
            raise ValidationError(
                {"region": _("该角色的管辖区域必须是“%(level)s”级。") % {"level": RegionLevel(expected).label}}
            )


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


class CodePurpose(models.TextChoices):
    LOGIN = "login", _("短信验证码登录")
    RESET = "reset", _("短信重设密码")


# The tries a code allows (members.otp.MAX_ATTEMPTS): a constraint too, so no code is tried more.
PHONE_CODE_MAX_ATTEMPTS = 5


class PhoneCode(models.Model):
    """The one live SMS code of a mobile number (members.otp): only its HMAC is kept, it
    expires, and it allows a fixed number of tries. A new code replaces the number's old one."""

    phone = models.CharField(_("手机号码"), max_length=11, unique=True, validators=[validate_mobile])
    purpose = models.CharField(_("用途"), max_length=10, choices=CodePurpose.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("生成时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        constraints = [
            models.CheckConstraint(condition=Q(phone__regex=MOBILE_RE), name="phonecode_mobile_format"),
            models.CheckConstraint(condition=Q(code_hash__regex=r"^[0-9a-f]{64}$"), name="phonecode_hash_sha256"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="phonecode_expires_later"),
            models.CheckConstraint(
                condition=Q(attempts__lte=PHONE_CODE_MAX_ATTEMPTS), name="phonecode_attempts_within_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} · {self.get_purpose_display()}"


class AccountAction(models.TextChoices):
    CREATED = "created", _("开通登录账号")
    ENABLED = "enabled", _("重新启用登录账号")
    PASSWORD_TEMPORARY = "password_temporary", _("重设临时密码")
    PASSWORD_SMS = "password_sms", _("发送重设密码验证码")
    DISABLED = "disabled", _("停用登录账号")


class AccountEventQuerySet(ScopedQuerySet):
    region_path = "person__organization__region"
    alliance_path = None


class AccountEvent(models.Model):
    """Who opened, reset or closed whose login, and when: the audit trail of access
    management (members.logins). Append-only on PostgreSQL, like the history tables."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="account_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=20, choices=AccountAction.choices)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = AccountEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("登录账号操作记录")
        verbose_name_plural = _("登录账号操作记录")
        ordering = ["-at", "-pk"]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_action_display()}"


# ------------------------------------------------------------------ Excel import jobs


class ImportState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    PREVIEWING = "previewing", _("检查中")
    PREVIEWED = "previewed", _("待确认")
    CONFIRMING = "confirming", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("未导入")


IMPORT_RUNNING_STATES = (ImportState.QUEUED, ImportState.PREVIEWING, ImportState.CONFIRMING)


class ImportJobQuerySet(ScopedQuerySet):
    """An import is seen by the user who uploaded it, and, for audit, by staff whose scope
    covers the region of the uploader's scope (a superuser's imports by superusers only)."""

    region_path = "region"
    alliance_path = None

    def visible_to(self, user) -> ImportJobQuerySet:
        from .access import scope_for

        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = self.filter(owner_id=user.pk)
        if not scope_for(user).is_staff_role:
            return mine
        return mine | super().visible_to(user)


class ImportJob(models.Model):
    """One uploaded workbook: checked in the background (preview), then imported in the
    background once its owner confirms (members.services.import_job_*)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, default="workbook", choices=[("workbook", _("Excel 工作簿"))])
    file = models.FileField(_("文件"), upload_to="imports/jobs/", max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    next_url = models.CharField(max_length=500, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=ImportState.choices, default=ImportState.QUEUED)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    summary = models.JSONField(_("汇总"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("检查完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ImportState.values), name="importjob_state_valid"),
            models.CheckConstraint(condition=Q(rows_done__lte=models.F("rows_total")), name="importjob_done_le_total"),
            # Only a confirmed job can have imported anything.
            models.CheckConstraint(
                condition=~Q(state__in=[ImportState.CONFIRMING, ImportState.DONE]) | Q(confirmed_at__isnull=False),
                name="importjob_imported_only_when_confirmed",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="importjob_owner_recent")]

    def __str__(self) -> str:
        return f"{self.filename} · {self.get_state_display()}"

    def get_absolute_url(self) -> str:
        return reverse("members:import-job", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.state in IMPORT_RUNNING_STATES

    @property
    def percent(self) -> int:
        if self.state in (ImportState.PREVIEWED, ImportState.DONE):
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def may_confirm(self) -> bool:
        return self.state == ImportState.PREVIEWED and bool(self.summary.get("ok"))


class ImportJobRow(models.Model):
    """A row of the job's last run (preview, or a confirmation refused): what it would do
    or why it cannot be imported. Rows that change nothing are counted, not stored."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    sheet = models.CharField(max_length=100)
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=20)
    changes = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="importjobrow_unique_position")]
        indexes = [models.Index(fields=["job", "action", "position"], name="importjobrow_by_action")]

    def __str__(self) -> str:
        return f"{self.sheet} #{self.number}"
