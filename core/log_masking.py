"""Mask personal data in log records: mobile, landline and ID card numbers never reach a log.

Pages and the API mask these numbers for roles that do not need them (see
``members.access.Scope.sees_personal_data``); logs are read by operators of every role,
and end up in places with weaker protection, so there they are always masked. The filter
is installed on the one handler every logger writes through (``LOGGING`` in
``config/settings/base.py``); it rewrites the formatted message, the exception text and
the stack, so a traceback of a database error ("Failing row contains (…13812345678…)")
is masked as well.
"""

from __future__ import annotations

import logging
import re

# 18-character resident ID numbers: keep the 6-digit region prefix and the last four.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
# 11-digit mobile numbers, alone or with the +86 / 86 country code.
MOBILE = re.compile(r"(?<![0-9])((?:\+?86)?1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
# Landlines written with their area code and a dash: 0574-87654321.
LANDLINE = re.compile(r"(?<![0-9])(0[0-9]{2,3}-)[0-9]{3,4}([0-9]{4})(?![0-9])")

_formatter = logging.Formatter()


def mask_personal_data(text: str) -> str:
    text = ID_NUMBER.sub(r"\1********\2", text)
    text = MOBILE.sub(r"\1****\2", text)
    return LANDLINE.sub(r"\1****\2", text)


class PersonalDataFilter(logging.Filter):
    """Rewrite each record's message, exception and stack text with the numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter to report
            return True
        record.msg = mask_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
