"""scripts/audit_dependencies.py: a found vulnerability fails the run, an unreachable
vulnerability service is reported loudly without failing it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
sys.modules.setdefault("audit_dependencies", audit)
spec.loader.exec_module(audit)


def dep(name, version="1.0", vulns=(), skip=None):
    entry = {"name": name, "version": version}
    if skip:
        entry["skip_reason"] = skip
    else:
        entry["vulns"] = list(vulns)
    return entry


def test_a_known_vulnerability_fails_and_names_the_fix():
    report = {
        "dependencies": [
            dep("django", "5.2.0", [{"id": "PYSEC-2026-1", "fix_versions": ["5.2.8"]}]),
            dep("celery"),
        ]
    }
    outcome = audit.judge(report, "", "pypi")
    assert outcome.status == 1 and not outcome.unreachable
    assert "  django 5.2.0: PYSEC-2026-1 (fixed in 5.2.8)" in outcome.lines


def test_a_clean_report_passes():
    outcome = audit.judge({"dependencies": [dep("django"), dep("celery")]}, "", "pypi")
    assert (outcome.status, outcome.unreachable) == (0, False)
    assert "no known vulnerabilities in 2 pinned packages" in outcome.lines[0]


def test_a_service_that_answers_for_no_package_is_unreachable_not_a_pass():
    report = {"dependencies": [dep("amqp", skip="Dependency not found on PyPI"), dep("celery", skip="not found")]}
    outcome = audit.judge(report, "", "pypi")
    assert outcome.unreachable and outcome.status == 0


def test_a_network_error_is_unreachable():
    outcome = audit.judge(None, "ConnectionError: Failed to resolve 'vulnerability-service.invalid'", "osv")
    assert outcome.unreachable and outcome.status == 0


def test_packages_left_unaudited_while_others_were_audited_fail():
    report = {"dependencies": [dep("django"), dep("private-lib", skip="Dependency not found on PyPI")]}
    outcome = audit.judge(report, "", "pypi")
    assert outcome.status == 1 and "private-lib" in "\n".join(outcome.lines)


def test_any_other_pip_audit_failure_fails():
    outcome = audit.judge(None, "error: invalid requirement 'django=='", "pypi")
    assert outcome.status == 1 and not outcome.unreachable


def test_main_reports_not_audited_when_every_service_is_unreachable(monkeypatch, capsys):
    monkeypatch.setattr(audit, "audit", lambda service, ignored: audit.Outcome(0, [f"{service}: down"], True))
    assert audit.main() == 0
    assert "NOT AUDITED" in capsys.readouterr().out


def test_main_fails_on_a_finding_from_the_second_service(monkeypatch):
    outcomes = {"pypi": audit.Outcome(0, ["pypi: down"], True), "osv": audit.Outcome(1, ["found"])}
    monkeypatch.setattr(audit, "audit", lambda service, ignored: outcomes[service])
    assert audit.main() == 1


def test_an_accepted_advisory_needs_a_reason(tmp_path):
    listed = tmp_path / "audit-ignore.txt"
    listed.write_text("# comment\nPYSEC-2026-1  # only affects the MySQL backend, we run PostgreSQL\n")
    assert audit.read_ignored(listed) == ["PYSEC-2026-1"]
    listed.write_text("PYSEC-2026-2\n")
    with pytest.raises(SystemExit, match="needs a reason"):
        audit.read_ignored(listed)


def test_the_requirement_files_are_fully_pinned_for_a_no_deps_audit():
    for requirements in audit.REQUIREMENTS:
        for line in requirements.read_text().splitlines():
            if line and not line.startswith((" ", "#", "-")):
                assert "==" in line, f"{requirements.name}: {line} is not pinned"
