"""OpenAPI description of the API's bearer tokens (drf-spectacular extension)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

DESCRIPTION = (
    "大屏接口令牌（只读）：`Authorization: Bearer dsk_…`。"
    "由组织部门工作人员在“大屏接口令牌”页面为某一区域创建，只显示一次。"
    "持令牌可读取该区域及其下级的数据（个人信息脱敏），任何写操作返回 403；"
    "令牌撤销后立即返回 401；每个令牌的请求频率受限，超出返回 429。"
)


class DashboardTokenScheme(OpenApiAuthenticationExtension):
    target_class = "members.tokens.DashboardTokenAuthentication"
    name = "dashboardToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": DESCRIPTION}
