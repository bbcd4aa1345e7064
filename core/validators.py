"""Validators and masking for the identifiers this platform stores."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

REGION_CODE_RE = r"^[0-9]{12}$"
MOBILE_RE = r"^1[3-9][0-9]{9}$"
# A mobile number, or a landline with its area code (0574-87654321).
PHONE_RE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
ID_NUMBER_RE = r"^[0-9]{17}[0-9X]$"

validate_region_code = RegexValidator(REGION_CODE_RE, _("行政区划代码必须是12位数字。"), code="invalid_region_code")
validate_mobile = RegexValidator(MOBILE_RE, _("请输入11位手机号码，例如 13812345678。"), code="invalid_mobile")
validate_phone = RegexValidator(
    PHONE_RE, _("请输入手机号码或带区号的固定电话，例如 0574-87654321。"), code="invalid_phone"
)
validate_id_number = RegexValidator(ID_NUMBER_RE, _("身份证号码必须是18位。"), code="invalid_id_number")


def mask_phone(value: str | None) -> str:
    """138****5678 for a mobile; keep area code and last four digits of a landline."""
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_id_number(value: str | None) -> str:
    """330212********1234: keep the region prefix and the last four characters."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"
