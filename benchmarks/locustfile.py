"""The users of ``benchmarks/load.py``: county and city staff, alliance leaders and big
screens, each doing what they do in a working day, over HTTP.

``load.py`` writes the accounts, ids and keys it made into a JSON file and names it in
``LOAD_PLAN``; this file only reads it. Each request is named after the page (``county:
project list``), so the table ``load.py`` prints has one row per page. The ``floor:`` rows
are the bare one-query views of the same rows (``benchmarks/bare.py``) and a static file.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from urllib3 import encode_multipart_formdata

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read()) if os.environ.get("LOAD_PLAN") else {}
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# Report slots (leader index, project id, week) not yet used in this run: one report per
# project and week, so each slot is submitted once; a leader without one left only reads.
SLOTS: dict[int, list[tuple[int, str]]] = {
    index: [tuple(slot) for slot in leader["slots"]] for index, leader in enumerate(PLAN.get("leaders", []))
}
LEADERS = itertools.count()
SCREENS = itertools.count()
PHOTO = open(PLAN["photo"], "rb").read() if PLAN.get("photo") else b""
# Think time between two pages (seconds, uniform): people read what they opened. At one
# user, load.py sets it near zero to time each page many times alone.
THINK = tuple(float(value) for value in os.environ.get("LOAD_THINK", "1,3").split(","))
# Sign in through the form (timed) at the start of each user, or use the session load.py
# opened for the account (as people do, signed in once a day).
SIGN_IN = os.environ.get("LOAD_SIGN_IN") == "1"
# The fault runs (load.py --fault) check by SQL what became of each report sent: every
# submission's (project, week) and the status it was answered with (0: no answer, the
# connection was lost), written to LOAD_RECEIPTS when the run stops.
RECEIPTS: list[tuple[int, str, int]] = []


def named(name: str, headers: dict | None = None) -> dict:
    """A request's headers with the page's name, which nginx logs beside its own time for
    the request (load.py --nginx): the server's view of each page, without the time the
    load generator's own event loop adds on the same machine."""
    return {"X-Load-Page": name} | (headers or {})


@events.test_stop.add_listener
def write_receipts(**_kwargs) -> None:
    if os.environ.get("LOAD_RECEIPTS"):
        with open(os.environ["LOAD_RECEIPTS"], "w", encoding="utf-8") as file:
            json.dump(RECEIPTS, file)


class SiteUser(FastHttpUser):
    abstract = True
    wait_time = between(*THINK)
    account: dict = {}

    def start_session(self, account: dict) -> None:
        if SIGN_IN:
            self.sign_in(account)
            return
        self.client.cookiejar.clear()
        host = self.host.split("://", 1)[1].split(":")[0]
        self.client.cookiejar.set_cookie(
            Cookie(
                0,
                "sessionid",
                account["session"],
                None,
                False,
                host,
                False,
                False,
                "/",
                True,
                False,
                None,
                False,
                None,
                None,
                {},
            )
        )

    def sign_in(self, account: dict) -> None:
        self.client.cookiejar.clear()
        page = self.client.get("/accounts/login/", name="sign-in: form", headers=named("sign-in: form"))
        token = CSRF_FIELD.search(page.content or b"")
        self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                "username": account["username"],
                "password": account["password"],
            },
            name="sign-in: post",
            headers=named("sign-in: post"),
        )

    def page(self, url: str, name: str, **kwargs) -> None:
        with self.client.get(url, name=name, headers=named(name), catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif b"/accounts/login/" in (response.url or "").encode():
                response.failure("signed out")

    def static(self) -> None:
        self.page(PLAN["static"], "floor: static file")


class Staff(SiteUser):
    abstract = True
    role = ""

    def on_start(self) -> None:
        self.account = PLAN[self.role]
        self.start_session(self.account)

    def name(self, page: str) -> str:
        return f"{self.role}: {page}"

    def bare(self, path: str, label: str, **params: str) -> None:
        query = "&".join(f"{key}={value}" for key, value in ({"region": self.account["prefix"]} | params).items())
        self.page(f"/bare/{path}/?{query}", f"floor: {self.role} {label}")

    @task(3)
    def dashboard(self) -> None:
        self.page("/evaluations/dashboard/", self.name("dashboard"))

    @task(3)
    def alliance_list(self) -> None:
        self.page("/alliances/?status=active", self.name("alliance list (filtered)"))
        self.bare("alliances", "alliance list")

    @task(1)
    def alliance_list_page_2(self) -> None:
        self.page("/alliances/?status=active&page=2", self.name("alliance list, page 2"))
        self.bare("alliances", "alliance list, page 2", page="2")

    @task(3)
    def project_list(self) -> None:
        self.page("/projects/?status=in_progress", self.name("project list (filtered)"))
        self.bare("projects", "project list")

    @task(1)
    def project_list_page_2(self) -> None:
        self.page("/projects/?status=in_progress&page=2", self.name("project list, page 2"))
        self.bare("projects", "project list, page 2", page="2")

    @task(2)
    def alliance_detail(self) -> None:
        self.page(f"/alliances/{random.choice(self.account['alliances'])}/", self.name("alliance detail"))

    @task(2)
    def project_detail(self) -> None:
        self.page(f"/projects/{random.choice(self.account['projects'])}/", self.name("project detail"))

    @task(3)
    def review_queue(self) -> None:
        self.page("/projects/reports/", self.name("review queue"))
        self.bare("progress-reports", "review queue", status="submitted")

    @task(1)
    def report_detail(self) -> None:
        if self.account["reports"]:
            self.page(f"/projects/reports/{random.choice(self.account['reports'])}/", self.name("report detail"))

    @task(1)
    def rollup(self) -> None:
        if self.account.get("rollup"):
            self.page(f"/evaluations/rollups/{self.account['rollup']}/", self.name("rollup"))

    @task(1)
    def export(self) -> None:
        self.page("/projects/?status=in_progress&export=xlsx", self.name("Excel export (projects under way)"))

    @task(2)
    def static_file(self) -> None:
        self.static()


class CountyStaff(Staff):
    weight = 4
    role = "county"


class CityStaff(Staff):
    weight = 2
    role = "city"


class Leader(SiteUser):
    weight = 3

    def on_start(self) -> None:
        self.index = next(LEADERS) % len(PLAN["leaders"])
        self.account = PLAN["leaders"][self.index]
        self.start_session(self.account)

    @task(4)
    def my_work(self) -> None:
        self.page("/projects/my-work/", "leader: my work")

    @task(2)
    def alliance_projects(self) -> None:
        self.page(f"/projects/?alliance={self.account['alliance']}", "leader: project list of one alliance")

    @task(2)
    def report(self) -> None:
        """Open the report form of a project and, while a week is left to report, send it
        with a photo (as the page sends it: shrunk on the phone to about 1600 px)."""
        slots = SLOTS[self.index]
        project, week = slots.pop() if slots else (random.choice(self.account["projects"]), None)
        with self.client.get(
            f"/projects/{project}/report/",
            name="leader: report form",
            headers=named("leader: report form"),
            catch_response=True,
        ) as form:
            if form.status_code != 200:
                form.failure(f"HTTP {form.status_code}")
        token = CSRF_FIELD.search(form.content or b"")
        if week is None or token is None:
            return
        body, content_type = encode_multipart_formdata(
            [
                ("csrfmiddlewaretoken", token.group(1).decode()),
                ("period", week),
                ("percent_complete", "60"),
                ("investment_to_date", "12.50"),
                ("work_done", "完成土方工程和主体结构，村民参与施工二十人。"),
                ("blockers", ""),
                ("attachments", ("site.jpg", PHOTO, "image/jpeg")),
            ]
        )
        with self.client.post(
            f"/projects/{project}/report/",
            data=body,
            headers=named("leader: submit report with a photo", {"Content-Type": content_type}),
            name="leader: submit report with a photo",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            RECEIPTS.append((project, week, response.status_code or 0))
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}, not the redirect of a stored report")

    @task(1)
    def static_file(self) -> None:
        self.static()


class BigScreen(FastHttpUser):
    weight = 1
    # A big screen refreshes its figures every few seconds; never more than once in 0.6 s,
    # under its key's rate limit (DASHBOARD_TOKEN_RATE, 120 a minute), even at 1 user.
    wait_time = between(max(THINK[0] * 2, 0.6), max(THINK[1] * 2, 0.8))

    def on_start(self) -> None:
        # Each level starts on other keys: a key's count of the minute before stays in Redis.
        offset = int(os.environ.get("LOAD_KEY_OFFSET", "0"))
        key = PLAN["tokens"][(offset + next(SCREENS)) % len(PLAN["tokens"])]
        self.headers = {"Authorization": f"Bearer {key}"}

    def call(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, headers=named(name, self.headers), catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def summary(self) -> None:
        self.call("/api/v1/dashboard/summary/", "screen: summary API")

    @task(1)
    def series(self) -> None:
        metric = random.choice(("workshop_employed", "workshop_low_income", "reports_received"))
        self.call(f"/api/v1/dashboard/timeseries/?metric={metric}", "screen: series API")
