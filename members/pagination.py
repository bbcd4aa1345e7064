from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class CappedPageNumberPagination(PageNumberPagination):
    """``?page_size=`` is honoured up to 100 rows; larger requests get 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw not in (None, ""):
            try:
                int(raw)
            except ValueError:
                raise ValidationError({self.page_size_query_param: [_("请输入整数。")]}) from None
        return super().get_page_size(request)
