from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

MAX_PAGE_SIZE = 100


class CheckedPageSize:
    """``?page_size=`` is honoured up to 100 rows (larger requests get 100); a value that
    is not a whole number is a 400 naming it."""

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


class CappedPageNumberPagination(CheckedPageSize, PageNumberPagination):
    """Numbered pages with a total ``count``: the default for lists of bounded size."""


class NewestFirstCursorPagination(CheckedPageSize, CursorPagination):
    """For the tables that grow every week (a province holds 2.5 million progress reports):
    ``next`` / ``previous`` links with an opaque ``?cursor=`` instead of page numbers, newest
    first. Any page costs the same as the first, one indexed ``id < last seen id`` scan, and
    no ``COUNT(*)`` over the caller's visible rows is run (the dashboard API gives totals)."""

    ordering = "-id"


class DeferredJoinPaginator(Paginator):
    """A page of a heavy list query in two steps: first the page's ids, by the list's
    ordering (ties broken by id) and filters alone; then those rows with every annotation
    the list shows. Rows skipped by the OFFSET are never annotated; the ids query still
    sorts every visible row, so a deep page costs a larger sort, not more annotations."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        # The id breaks ties, so that each row is on exactly one page whatever the ordering.
        ordering = [*(self.object_list.query.order_by or self.object_list.model._meta.ordering), "pk"]
        ids = list(self.object_list.order_by(*ordering).values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids], number, self)


class DeferredJoinPagination(CappedPageNumberPagination):
    """Numbered pages of a list whose rows are costly to build (see DeferredJoinPaginator)."""

    django_paginator_class = DeferredJoinPaginator
