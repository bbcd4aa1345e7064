"""Dates in English text: 6 Dec 2026, 6 Dec 2026 14:05 (a 24-hour clock, as the Chinese
pages use), December 2026."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
