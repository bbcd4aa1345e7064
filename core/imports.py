"""Excel import: upload → a preview of every row with its errors → confirm. All or nothing.

The layout is the list pages' export (:mod:`core.excel` columns): each registered
:class:`Importer` reads the sheet of its title and sets the fields of the columns that
name one. Rows are matched to existing rows by a natural key (an organization by region
code and name, an alliance by code...), updated when a value differs, created when new,
and left alone (no save, no history record) when nothing differs.

Every write goes through the app's services with the importing user as actor, so scope
rules hold: a row outside the user's region is an error on that row. The whole file runs
in one transaction: the preview always rolls it back, the confirmation rolls it back
when any row has an error. Nothing is saved unless every row is right.

Hostile files are refused before openpyxl parses anything (:func:`check_container`):
more than 5 MB, not a zip with the parts of a workbook (HTML or CSV renamed .xlsx, an
old .xls), too many parts, or parts that would inflate past a bound or by a suspicious
ratio (a zip bomb: judged from the zip directory, nothing is inflated). openpyxl parses
with defusedxml (in the requirements; openpyxl uses it when it is installed), so entity
declarations (billion laughs, external entities) stop the parse. Formulas are never
evaluated: a formula cell is an error on that cell, to be pasted as a value.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.constraints import checked_by_database
from core.excel import BOOL, CHOICE, DATE, DATETIME, DECIMAL, INT, MAX_ROWS, Column, unescape_text

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
# 20,000 rows of an export inflate to about 20 MB of XML.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
# Ordinary workbooks deflate 5–30 times; a zip bomb by hundreds or thousands.
MAX_RATIO = 100
RATIO_CHECKED_ABOVE = 1024 * 1024
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
ZIP_MAGIC = b"PK\x03\x04"
PENDING_DIR = "imports"
PENDING_MAX_AGE = datetime.timedelta(days=1)
PROGRESS_EVERY = 200

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
ACTION_LABELS = {
    CREATE: gettext_lazy("新增"),
    UPDATE: gettext_lazy("更新"),
    UNCHANGED: gettext_lazy("无变化"),
    ERROR: gettext_lazy("错误"),
}


class FileRefused(Exception):  # noqa: N818 - reads as what happened to the file
    """The file as a whole cannot be imported; the message is for the user."""


# ------------------------------------------------------------------ the container


def check_container(data: bytes) -> None:
    """Refuse what is not a reasonable .xlsx, judging only by its bytes and zip directory."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRefused(
            _("文件大小 %(size)s MB，超过上限 5 MB，请拆分后分批导入。") % {"size": f"{len(data) / 1048576:.1f}"}
        )
    if data.startswith(OLE_MAGIC):
        raise FileRefused(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为” .xlsx 格式后再导入。"))
    if not data.startswith(ZIP_MAGIC):
        raise FileRefused(_("该文件不是 Excel（.xlsx）文件，请上传由本平台导出或由 Excel 保存的 .xlsx 文件。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise FileRefused(_("文件已损坏，无法作为 Excel（.xlsx）文件打开。")) from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise FileRefused(_("文件结构异常（包含的部件过多），已拒绝。"))
    names = {info.filename for info in infos}
    if not all(part in names for part in REQUIRED_PARTS):
        raise FileRefused(_("该文件不是 Excel（.xlsx）工作簿，请上传由本平台导出或由 Excel 保存的 .xlsx 文件。"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRefused(_("文件已加密，请取消密码保护后再导入。"))
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_RATIO:
            raise FileRefused(_("文件压缩比异常（疑似“压缩炸弹”），已拒绝。"))
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(_("文件解压后超过 50 MB，已拒绝，请拆分后分批导入。"))


# ------------------------------------------------------------------ reading cells


def parse_cell(column: Column, cell: Any) -> Any:
    """The value of one cell for ``column``; ValueError with a message for the user."""
    if getattr(cell, "data_type", None) == "f":
        raise ValueError(_("单元格含公式，导入时不计算公式，请复制后“粘贴为数值”再导入。"))
    if getattr(cell, "data_type", None) == "e":
        raise ValueError(_("单元格是错误值（%(value)s）。") % {"value": cell.value})
    value = cell.value
    if isinstance(value, str):
        value = unescape_text(value.strip())
        if value == "":
            value = None
    kind = column.kind
    if kind == INT:
        return _parse_int(value)
    if kind == DECIMAL:
        return _parse_decimal(value)
    if kind == DATE:
        return _parse_date(value)
    if kind == DATETIME:
        raise ValueError(_("该列不能导入。"))
    if kind == BOOL:
        return _parse_bool(value)
    if kind == CHOICE:
        return _parse_choice(column, value)
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _parse_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("请填写整数。"))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value):
        return int(value)
    raise ValueError(_("请填写整数。"))


def _parse_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("请填写数字。"))
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(_("请填写数字。")) from exc
    if not number.is_finite():
        raise ValueError(_("请填写数字。"))
    return number


def _parse_date(value: Any) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time():
            raise ValueError(_("请填写日期（不含时间），例如 2024-05-01。"))
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", value)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                pass
    raise ValueError(_("请填写日期，例如 2024-05-01。"))


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("是", "否"):
        return value == "是"
    raise ValueError(_("请填写“是”或“否”。"))


def _parse_choice(column: Column, value: Any) -> str:
    if value is None:
        return ""
    text = _text(value)
    accepted = choice_values(column.choices, translation.get_language())
    if text in accepted:
        return accepted[text]
    options = "、".join(str(label) for label in column.choices.labels)
    raise ValueError(_("“%(value)s”不是可选的值，可选：%(options)s。") % {"value": text, "options": options})


@lru_cache(maxsize=64)
def choice_values(choices: Any, language: str | None) -> dict[str, str]:
    """Label (in ``language``) or stored value → stored value."""
    return {str(choice.label): choice.value for choice in choices} | {choice.value: choice.value for choice in choices}


# ------------------------------------------------------------------ results


@dataclass
class RowResult:
    number: int
    label: str = ""
    action: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error(self, header: str, message: str) -> None:
        self.action = ERROR
        self.errors.append((header, str(message)))

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class SheetResult:
    title: str
    rows: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTION_LABELS}

    @property
    def ok(self) -> bool:
        return not self.errors and not self.count(ERROR)


@dataclass
class ImportReport:
    sheets: list[SheetResult] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.sheets) and all(sheet.ok for sheet in self.sheets)

    @property
    def counts(self) -> dict[str, int]:
        return {action: sum(sheet.count(action) for sheet in self.sheets) for action in ACTION_LABELS}

    @property
    def changes_anything(self) -> bool:
        counts = self.counts
        return bool(counts[CREATE] or counts[UPDATE])


# ------------------------------------------------------------------ importers


@dataclass
class FileRows:
    """Where each record of the file being imported is written, and whether it imported.

    Sheets are read in the importers' order (organizations, people, alliances, memberships,
    projects), so a row may refer to a record that an earlier sheet of the same file
    creates: it is found, as the earlier row was written first. When that earlier row has
    an error, the later row's reference says so, naming the sheet and row to correct,
    instead of claiming the record cannot be found.
    """

    rows: dict[tuple[str, tuple], tuple[str, int, bool]] = field(default_factory=dict)
    # Told (rows read so far, rows in all) every PROGRESS_EVERY rows, for a progress bar.
    progress: Callable[[int, int], None] | None = None
    total: int = 0
    done: int = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % PROGRESS_EVERY == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    def note(self, importer: str, key: tuple, *, sheet: str, number: int, ok: bool) -> None:
        if all(part not in (None, "") for part in key):
            self.rows.setdefault((importer, key), (sheet, number, ok))

    def failed_row(self, importer: str, key: tuple) -> tuple[str, int] | None:
        found = self.rows.get((importer, key))
        if found is None or found[2]:
            return None
        return found[0], found[1]


class Importer:
    """Reads one sheet of the export layout and writes its rows through the services.

    Subclasses name the ``sheet`` title and its ``columns`` (the list's export columns),
    the ``key_fields`` that identify a row and the ``scope_field`` on which "outside your
    region" is reported, and implement:

    - ``preload(rows)``: load, in a few queries, what ``resolve`` and ``find`` need for
      every row (``rows`` are the cell values by field);
    - ``resolve(values)``: turn cell values into model values (a code into a ``Region``),
      raising ``ValidationError({field: message})``;
    - ``find(values)``: the existing object with this natural key, or None;
    - ``create(values)`` / ``update(obj, changes)``: call the service.

    ``apply`` does the matching and comparison; override it for rows that are not a plain
    upsert (memberships).
    """

    key: ClassVar[str]
    sheet: ClassVar[Any]
    columns: ClassVar[Sequence[Column]]
    key_fields: ClassVar[tuple[str, ...]]
    scope_field: ClassVar[str]
    order: ClassVar[int] = 100
    # Records of other sheets a row refers to: the field its errors are reported on →
    # (the other importer's key, the fields of this row holding that importer's key fields).
    references: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {}
    # True: ``create`` checks and keeps a new row, ``flush`` inserts the sheet's new rows at
    # once after its last row (no query per row; a later sheet then finds them saved).
    deferred_create: ClassVar[bool] = False

    def __init__(self, actor: Any, file_rows: FileRows | None = None):
        self.actor = actor
        self.seen: dict[tuple, int] = {}
        self.file_rows = file_rows if file_rows is not None else FileRows()
        self.new: list[Any] = []  # rows ``create`` kept for ``flush`` (``deferred_create``)

    # --- to implement
    def preload(self, rows: list[dict[str, Any]]) -> None:
        """Bulk-load what the rows refer to (optional)."""

    def resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def find(self, values: dict[str, Any]) -> Any:  # pragma: no cover - every importer overrides
        raise NotImplementedError

    def create(self, *, values: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def update(self, *, obj: Any, changes: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def flush(self) -> None:
        """Insert the rows ``create`` kept (with ``deferred_create``)."""

    # --- shared machinery
    @cached_property
    def fields(self) -> dict[str, Column]:
        return {column.field: column for column in self.columns if column.field}

    def header_of(self, name: str) -> str:
        if name == NON_FIELD_ERRORS:
            return ""
        column = self.fields.get(name)
        if column is not None:
            return str(column.header)
        model = getattr(self, "model", None)
        if model is not None:
            try:
                return str(model._meta.get_field(name).verbose_name)
            except Exception:  # noqa: S110 - an unknown name is shown as a row error
                pass
        return ""

    def natural_key(self, values: dict[str, Any]) -> tuple:
        return tuple(getattr(values[name], "pk", values[name]) for name in self.key_fields)

    def label(self, values: dict[str, Any]) -> str:
        """How the preview names the row (override to name resolved objects nicely)."""
        return self.plain_label(values)

    def plain_label(self, values: dict[str, Any]) -> str:
        return " · ".join(str(values[name]) for name in self.key_fields if values.get(name) not in (None, ""))

    def current(self, obj: Any, name: str) -> Any:
        return getattr(obj, name)

    def display(self, name: str, value: Any) -> str:
        column = self.fields.get(name)
        if hasattr(value, "_meta"):
            # A related row is shown by what its column reads of it: a region by its code
            # ("lead_region.code"), as the file names it.
            if column is not None and isinstance(column.source, str) and "." in column.source:
                return str(getattr(value, column.source.rsplit(".", 1)[1]))
            return str(value)
        return column.display(value) if column else ("" if value is None else str(value))

    def write(self, service: Any, /, **kwargs: Any) -> Any:
        """Call a service inside a savepoint: a row that fails leaves nothing behind."""
        with transaction.atomic():
            return service(**kwargs)

    def apply(self, values: dict[str, Any], result: RowResult) -> None:
        obj = self.find(values)
        if obj is None:
            if self.deferred_create:
                self.create(values=values)  # checks the row; nothing is written yet
            else:
                self.write(self.create, values=values)
            result.action = CREATE
            result.changes = [
                (self.header_of(name), "", self.display(name, value))
                for name, value in values.items()
                if value not in (None, "")
            ]
            return
        changes = {
            name: value
            for name, value in values.items()
            if name not in self.key_fields and self.current(obj, name) != value
        }
        if not changes:
            result.action = UNCHANGED
            return
        result.changes = [
            (self.header_of(name), self.display(name, self.current(obj, name)), self.display(name, value))
            for name, value in changes.items()
        ]
        self.write(self.update, obj=obj, changes=changes)
        result.action = UPDATE

    def run(self, table: SheetTable) -> SheetResult:
        result = SheetResult(title=table.title)
        wanted = [str(c.header) for c in self.columns if c.field]
        missing = [header for header in wanted if header not in table.headers]
        if missing:
            result.errors.append(_("缺少列：%(columns)s。") % {"columns": "、".join(missing)})
        doubled = sorted({header for header in wanted if table.headers.count(header) > 1})
        if doubled:
            result.errors.append(_("列名重复：%(columns)s。") % {"columns": "、".join(doubled)})
        if result.errors:
            return result
        parsed: list[tuple[RowResult, dict[str, Any]]] = []
        read = [(column, str(column.header)) for column in self.columns if column.field]
        for number, cells in table.rows:
            row = RowResult(number=number)
            values: dict[str, Any] = {}
            for column, header in read:
                try:
                    values[column.field] = parse_cell(column, cells.get(header))
                except ValueError as exc:
                    row.error(header, str(exc))
            parsed.append((row, values))
        self.preload([values for row, values in parsed if not row.errors])
        for row, values in parsed:
            result.rows.append(row)
            if not row.errors:
                self.run_row(row, values)
            self.file_rows.note(
                self.key,
                tuple(values.get(name) for name in self.key_fields),
                sheet=table.title,
                number=row.number,
                ok=not row.errors,
            )
            self.file_rows.tick()
        try:
            self.flush()
        except ValidationError as exc:
            raise FileRefused(" ".join(exc.messages)) from exc
        return result

    def run_row(self, row: RowResult, raw: dict[str, Any]) -> None:
        row.label = self.plain_label(raw)  # until the row resolves, name it by what the file says
        try:
            values = self.resolve(dict(raw))
            row.label = self.label(values)
            key = self.natural_key(values)
            if key in self.seen:
                row.error(
                    self.header_of(self.key_fields[0]),
                    _("与第 %(row)s 行是同一条记录，请合并为一行。") % {"row": self.seen[key]},
                )
                return
            self.seen[key] = row.number
            self.apply(values, row)
        except ValidationError as exc:
            row.changes = []
            for name, messages in _error_items(exc):
                for message in self.in_this_file(name, raw) or messages:
                    row.error(self.header_of(name), message)
        except PermissionDenied as exc:
            row.changes = []
            row.error(self.header_of(self.scope_field), str(exc) or _("您没有权限修改该区域的数据。"))

    def in_this_file(self, name: str, raw: dict[str, Any]) -> list[str]:
        """For an error on a reference to a record that an earlier row of this file writes
        but could not import: say so and name that row (else nothing)."""
        if name not in self.references:
            return []
        importer, fields = self.references[name]
        key = tuple(raw.get(field_name) for field_name in fields)
        failed = self.file_rows.failed_row(importer, key)
        if failed is None:
            return []
        sheet, number = failed
        return [
            _("“%(record)s”在本文件“%(sheet)s”表第 %(row)s 行，该行有错误未能导入；改正该行后本行即可导入。")
            % {"record": " ".join(str(part) for part in key), "sheet": sheet, "row": number}
        ]


def _error_items(exc: ValidationError) -> Iterable[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict.items()
    return [(NON_FIELD_ERRORS, exc.messages)]


_registry: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    """Add an importer (a class decorator; the app's AppConfig.ready() imports the module)."""
    _registry[importer.key] = importer
    return importer


def registered() -> list[type[Importer]]:
    """Importers in the order their sheets are read (organizations before people...)."""
    return sorted(_registry.values(), key=lambda importer: (importer.order, importer.key))


# ------------------------------------------------------------------ reading the workbook


@dataclass
class SheetTable:
    title: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]


def read_tables(data: bytes, titles: Sequence[str]) -> tuple[dict[str, SheetTable], list[str]]:
    """The sheets named in ``titles`` (header row, then non-empty rows by number), and the
    names of the other sheets (not read). Refuses more than ``MAX_ROWS`` rows in all."""
    from openpyxl import load_workbook

    check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:
        raise _unreadable(exc) from exc
    try:
        wanted = [name for name in workbook.sheetnames if name in titles]
        ignored = [name for name in workbook.sheetnames if name not in titles]
        declared = sum(max((workbook[name].max_row or 1) - 1, 0) for name in wanted)
        if declared > MAX_ROWS:
            raise FileRefused(_too_many_rows())
        tables = {}
        total = 0
        for name in wanted:
            table = _read_sheet(workbook[name])
            total += len(table.rows)
            if total > MAX_ROWS:
                raise FileRefused(_too_many_rows())
            tables[name] = table
    except FileRefused:
        raise
    except Exception as exc:
        raise _unreadable(exc) from exc
    finally:
        workbook.close()
    return tables, ignored


def _unreadable(exc: BaseException) -> FileRefused:
    """What to tell the user about a file openpyxl could not read (it wraps the cause)."""
    from defusedxml import DefusedXmlException

    seen = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return FileRefused(_("文件包含不允许的 XML 内容（实体声明），已拒绝。"))
        seen = seen.__cause__ or seen.__context__
    return FileRefused(_("无法读取该 Excel 文件，请在 Excel 中打开后重新保存为 .xlsx 再导入。"))


def _too_many_rows() -> str:
    return _("文件超过 %(limit)s 行数据，请拆分后分批导入。") % {"limit": f"{MAX_ROWS:,}"}


class _EmptyCell:
    value = None
    data_type = "n"


EMPTY = _EmptyCell()


class Cells(dict):
    """A row's cells by header; a column the row does not reach reads as an empty cell."""

    def get(self, key, default=None):
        return super().get(key, EMPTY)


def _read_sheet(sheet) -> SheetTable:
    sheet.reset_dimensions()  # a declared size may be wrong: read what is there, and count
    headers: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_ROWS + 1:
            raise FileRefused(_too_many_rows())
        if number == 1:
            headers = ["" if c.value is None else str(c.value).strip() for c in cells]
            continue
        if all(c.value in (None, "") for c in cells):
            continue
        rows.append((number, Cells((headers[i], c) for i, c in enumerate(cells) if i < len(headers) and headers[i])))
    return SheetTable(title=sheet.title, headers=headers, rows=rows)


def run_import(
    data: bytes, *, actor: Any, commit: bool, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Read every known sheet and apply it in one transaction; roll back unless ``commit``
    and every row is right. Raises :class:`FileRefused` for a file refused as a whole.
    ``progress(done, total)`` is told how far the rows have got, now and then."""
    with translation.override("zh-hans"):
        importers = {str(importer.sheet): importer for importer in registered()}
        tables, ignored = read_tables(data, list(importers))
        report = ImportReport(ignored_sheets=ignored)
        if not tables:
            return report
        file_rows = FileRows(progress=progress, total=sum(len(table.rows) for table in tables.values()))
        if progress is not None:
            progress(0, file_rows.total)
        with transaction.atomic(), checked_by_database():
            for title, importer in importers.items():
                table = tables.get(title)
                if table is None:
                    continue
                report.sheets.append(importer(actor, file_rows).run(table))
            if commit and report.ok:
                report.committed = True
            else:
                transaction.set_rollback(True)
    return report


# ------------------------------------------------------------------ files left behind


def purge_stale_uploads(*, now: datetime.datetime | None = None) -> int:
    """Delete loose uploads left in the folder for more than a day (the jobs' files are in
    its ``jobs`` sub-folder, purged with the jobs: ``members.services.import_job_purge_files``)."""
    now = now or timezone.now()
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except (OSError, FileNotFoundError):
        return 0
    removed = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        if now - default_storage.get_modified_time(path) > PENDING_MAX_AGE:
            default_storage.delete(path)
            removed += 1
    return removed
