from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from members.views import url_has_allowed_host_and_scheme_or_home

from .models import Notice
from .services import mark_all_read, mark_read


class NoticeListView(LoginRequiredMixin, ListView):
    """The user's own notices, newest first (the bell's page)."""

    template_name = "notices/notice_list.html"
    paginate_by = 20

    def get_queryset(self):
        notices = Notice.objects.visible_to(self.request.user)
        if self.request.GET.get("unread") == "1":
            notices = notices.unread()
        return notices.only("pk", "event", "title", "body", "link", "created_at", "read_at")


@login_required
@require_POST
def notice_read(request, pk: int):
    """Mark one of the user's own notices read (others' notices are not found), then go
    where ``next`` says: the notice's link, or back to the list."""
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    mark_read(user=request.user, notice=notice)
    return redirect(url_has_allowed_host_and_scheme_or_home(request, request.POST.get("next")))


@login_required
@require_POST
def notice_read_all(request):
    count = mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    return redirect("notices:list")
