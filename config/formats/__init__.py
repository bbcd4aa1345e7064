"""How dates and numbers read in the text of a page, by language (``FORMAT_MODULE_PATH``).

Pages show dates the way their readers write them: 2026年12月6日 and 2026年12月6日 14:05
(Asia/Shanghai) in Chinese, 6 Dec 2026 and 6 Dec 2026 14:05 in English. Templates name a
format (``|date`` or ``|date:"DATETIME_FORMAT"``), never a pattern such as "Y-m-d", so one
file here decides for every page. Table cells use the same full form: the tables stack as
labelled cards on a phone, so a cell has a whole line to itself.

What a machine reads stays ISO whatever the language: ``<input type="date">``
(core.widgets.DateInput), Excel exports (core.excel) and the API.
"""
