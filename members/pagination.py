from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class CappedPageNumberPagination(PageNumberPagination):
    """``?page_size=`` is honoured up to 100 rows; larger requests get 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
