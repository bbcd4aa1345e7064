"""Dates in Chinese text: 2026年12月6日, 2026年12月6日 14:05, 2026年12月. Large numbers
grouped by thousands with commas, as money is (``intcomma``: 9,924 人 beside 2,563.52 万元);
Django's own Chinese formats leave whole numbers ungrouped."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
SHORT_DATE_FORMAT = "Y年n月j日"
SHORT_DATETIME_FORMAT = "Y年n月j日 H:i"
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
