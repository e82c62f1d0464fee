"""Set-up lists: one table, one filter and one XLSX round trip for every planning list.

A list page shows a django-tables2 table over a queryset the app's policy scoped,
filtered, searched and sorted by a django-filter ``FilterSet``, 25 rows a page. Its
XLSX export and import share one :class:`Sheet`, so what is exported imports back
unchanged::

    class FlagshipSheet(Sheet):
        title = _("Flagship programmes")
        model = FlagshipProgramme
        columns = [
            Column("slug", _("Short code"), required=True),
            Column("name", _("Name"), required=True),
            Column("year_start", _("From year"), kind="int", required=True),
            Column("coordinator", _("Coordinating agency"),
                   get=lambda f: f.coordinator.code if f.coordinator else "",
                   parse=agency_by_code),
        ]

        def queryset(self):                     # the rows the user may touch
            return FlagshipProgramme.objects.filter(self.policy.scope_q())

        def can_write(self, obj, values):       # the app's policy, as the API asks it
            return self.policy.can_plan(self.region.code)

        def save(self, obj, values, *, version):  # through the app's services
            if obj is None:
                services.create(FlagshipProgramme, self.user, region=self.region, **values)
            else:
                services.update(obj, self.user, expected_version=version, **values)

    def flagships(request, code):
        ...
        return list_page(request, title=..., table=FlagshipTable(filterset.qs),
                         filterset=filterset, sheet=FlagshipSheet(request.user, policy))

Export writes the labels in the first row, then one row per object with its ``ID``
and ``Versi`` first; ``?unduh=xlsx`` on a list page exports what the filter shows.
Import (:func:`import_sheet`) reads every row, parses every cell, checks the
version and the policy, and writes nothing if any row is wrong: each error names
the row, the column and the reason. Otherwise the changed rows are applied in one
transaction, new rows (no ``ID``) created; unchanged rows are skipped, so an
export imported back changes nothing. Rows missing from the file are left alone:
nothing is deleted by an import.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.web.indicators.services import ConflictError

PER_PAGE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 10 * 1024 * 1024
ID_LABEL = gettext_lazy("ID")
VERSION_LABEL = gettext_lazy("Version")
YES = gettext_lazy("Yes")
NO = gettext_lazy("No")


# --- cells ---------------------------------------------------------------------------------


def parse_decimal(value: Any) -> Decimal:
    """A number from a cell: a number as such, or text written the Indonesian or English way
    (``1.250.000``, ``45,5``, ``Rp 1.250.000``, ``12,5%``)."""
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    from sinergi.web.programs.importer import parse_number

    try:
        return parse_number(str(value), money=True)
    except ValueError:
        raise ValueError(_("Enter a number, e.g. 1.250.000 or 45,5.")) from None


def _parse_int(value: Any) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(_("Enter a whole number."))
    return int(number)


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Enter a date as DD/MM/YYYY."))


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"ya", "yes", "y", "1", "true", "benar"}:
        return True
    if text in {"tidak", "no", "n", "0", "false", "salah"}:
        return False
    raise ValueError(_("Enter Ya or Tidak."))


def _labels_in_all_languages(label: Any) -> set[str]:
    found = {str(label).strip().lower()}
    for lang in ("id", "en"):
        with translation.override(lang):
            found.add(str(label).strip().lower())
    return found


@dataclass
class Column:
    """One column of a sheet.

    ``name`` is the key in the values handed to :meth:`Sheet.save` (usually the model
    field); ``get`` reads the exported value from an object (default: the attribute);
    ``parse`` turns a cell into the value to save and raises ``ValueError`` with the
    reason (default: by ``kind``). ``choices`` (value, label) export the label and accept
    either the value or the label in Indonesian or English. A ``readonly`` column is
    exported for reading and ignored on import.
    """

    name: str
    label: Any
    kind: str = "text"  # text | int | decimal | date | bool | choice
    required: bool = False
    get: Callable[[Any], Any] | None = None
    parse: Callable[[Any], Any] | None = None
    choices: Sequence[tuple[Any, Any]] | None = None
    readonly: bool = False
    width: int = 18

    def value_of(self, obj: Any) -> Any:
        return self.get(obj) if self.get is not None else getattr(obj, self.name)

    def to_cell(self, value: Any) -> Any:
        """The cell written for ``value`` (numbers stay numbers, dates dates)."""
        if value is None:
            return None
        if self.choices is not None:
            return str(dict(self.choices).get(value, value))
        if self.kind == "bool":
            return str(YES if value else NO)
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, models.Model):
            return str(value)
        return value

    def from_cell(self, cell: Any) -> Any:
        """The value to save from a cell (``None`` for an empty cell); ``ValueError`` if bad."""
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            if self.required:
                raise ValueError(_("This column is required."))
            return None if self.kind != "text" else ""
        if isinstance(cell, str):
            cell = cell.strip()
        if self.parse is not None:
            return self.parse(cell)
        if self.choices is not None:
            wanted = str(cell).strip().lower()
            for value, label in self.choices:
                if wanted == str(value).lower() or wanted in _labels_in_all_languages(label):
                    return value
            allowed = ", ".join(str(label) for _value, label in self.choices)
            raise ValueError(_("Choose one of: %(allowed)s.") % {"allowed": allowed})
        if self.kind == "int":
            return _parse_int(cell)
        if self.kind == "decimal":
            return parse_decimal(cell)
        if self.kind == "date":
            return _parse_date(cell)
        if self.kind == "bool":
            return _parse_bool(cell)
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        return str(cell)

    def same(self, current: Any, new: Any) -> bool:
        """Whether ``new`` (parsed from the file) equals the stored ``current``."""
        if isinstance(current, models.Model):
            current = current.pk
        if isinstance(new, models.Model):
            new = new.pk
        if current in (None, "") and new in (None, ""):
            return True
        if isinstance(current, Decimal) or isinstance(new, Decimal):
            try:
                return Decimal(str(current)) == Decimal(str(new))
            except (InvalidOperation, TypeError, ValueError):
                return False
        return bool(current == new)


# --- sheets ----------------------------------------------------------------------------------


class Sheet:
    """The XLSX form of one list: its columns, the rows the user may touch, and how a row
    is saved (through the app's services, which validate, audit and lock)."""

    title: ClassVar[Any] = ""
    model: ClassVar[type[models.Model]]
    columns: ClassVar[list[Column]] = []

    def __init__(self, user: Any, policy: Any = None, **context: Any) -> None:
        self.user = user
        self.policy = policy
        self.context = context

    # What an app defines.
    def queryset(self) -> QuerySet[Any]:
        raise NotImplementedError

    def can_write(self, obj: Any | None, values: dict[str, Any]) -> bool:
        raise NotImplementedError

    def save(self, obj: Any | None, values: dict[str, Any], *, version: int | None) -> Any:
        raise NotImplementedError

    # What the framework uses.
    def filename(self) -> str:
        with translation.override(translation.get_language()):
            return f"{slugify(str(self.title)) or 'daftar'}.xlsx"

    def current(self, obj: Any) -> dict[str, Any]:
        return {c.name: c.value_of(obj) for c in self.columns if not c.readonly}

    def stored_for_compare(self, obj: Any, column: Column) -> Any:
        """The stored value a parsed cell is compared with (default: what is exported,
        parsed back, so a label or a code compares as the value it stands for)."""
        exported = column.value_of(obj)
        if column.parse is not None or column.choices is not None:
            cell = column.to_cell(exported)
            if cell is None:
                return None
            try:
                return column.from_cell(cell)
            except ValueError:
                return exported
        return exported


def export_rows(sheet: Sheet, objects: Iterable[Any]) -> bytes:
    """The XLSX bytes of ``objects`` as ``sheet`` lays them out."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    # Excel refuses these characters in a sheet's name (openpyxl raises on them).
    ws.title = re.sub(r"[\[\]:*?/\\]", "-", str(sheet.title))[:31] or "Daftar"
    headers = [str(ID_LABEL), str(VERSION_LABEL), *(str(c.label) for c in sheet.columns)]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for obj in objects:
        ws.append(
            [
                obj.pk,
                getattr(obj, "version", None),
                *(c.to_cell(c.value_of(obj)) for c in sheet.columns),
            ]
        )
    for index, column in enumerate(sheet.columns, start=3):
        ws.column_dimensions[get_column_letter(index)].width = column.width
        if column.kind == "date":
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(sheet: Sheet, objects: Iterable[Any]) -> HttpResponse:
    response = HttpResponse(export_rows(sheet, objects), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{sheet.filename()}"'
    return response


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the column's label as the file shows it ("" for the whole row)
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def _header_map(sheet: Sheet, header: Sequence[Any]) -> tuple[dict[str, int], list[RowError]]:
    """Column positions by column name, matching labels in either language."""
    wanted: dict[str, set[str]] = {
        "__id__": _labels_in_all_languages(ID_LABEL),
        "__version__": _labels_in_all_languages(VERSION_LABEL),
    }
    for column in sheet.columns:
        wanted[column.name] = _labels_in_all_languages(column.label) | {column.name.lower()}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = str(cell or "").strip().lower()
        for name, labels in wanted.items():
            if text in labels and name not in positions:
                positions[name] = index
                break
    errors = [
        RowError(1, str(c.label), _("This column is missing from the header row."))
        for c in sheet.columns
        if c.required and not c.readonly and c.name not in positions
    ]
    return positions, errors


def read_rows(upload: Any) -> list[tuple[Any, ...]]:
    """Every row of the first sheet of an uploaded XLSX file (``ValueError`` if not one)."""
    from openpyxl import load_workbook

    if getattr(upload, "size", 0) > MAX_IMPORT_BYTES:
        raise ValueError(_("The file is larger than 10 MB."))
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValueError(_("This is not an Excel (.xlsx) file.")) from None
    ws = book.worksheets[0]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    return rows


def import_sheet(sheet: Sheet, upload: Any) -> ImportResult:
    """Validate every row of ``upload``, then apply the changed ones in one transaction
    (nothing is written if any row is wrong)."""
    result = ImportResult()
    try:
        rows = read_rows(upload)
    except ValueError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    if not rows:
        result.errors.append(RowError(1, "", _("The file is empty.")))
        return result
    positions, header_errors = _header_map(sheet, rows[0])
    if header_errors:
        result.errors.extend(header_errors)
        return result
    existing = {obj.pk: obj for obj in sheet.queryset()}
    plan: list[tuple[int, Any | None, dict[str, Any], int | None]] = []
    for number, row in enumerate(rows[1:], start=2):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue

        def cell(name: str, row: tuple[Any, ...] = row) -> Any:
            index = positions.get(name)
            return row[index] if index is not None and index < len(row) else None

        row_errors: list[RowError] = []
        obj = None
        raw_id = cell("__id__")
        if raw_id not in (None, ""):
            try:
                obj = existing.get(_parse_int(raw_id))
            except ValueError:
                obj = None
            if obj is None:
                result.errors.append(
                    RowError(
                        number,
                        str(ID_LABEL),
                        _("No such row in your list (ID %(id)s).") % {"id": raw_id},
                    )
                )
                continue
        version = None
        raw_version = cell("__version__")
        if obj is not None and hasattr(obj, "version"):
            try:
                version = _parse_int(raw_version) if raw_version not in (None, "") else None
            except ValueError:
                version = None
            if version is None:
                row_errors.append(
                    RowError(number, str(VERSION_LABEL), _("The version is missing."))
                )
            elif version != obj.version:
                row_errors.append(
                    RowError(
                        number,
                        str(VERSION_LABEL),
                        _(
                            "Someone changed this row after the file was exported (version "
                            "%(mine)s in the file, %(now)s now). Export again and redo the change."
                        )
                        % {"mine": version, "now": obj.version},
                    )
                )
        values: dict[str, Any] = {}
        for column in sheet.columns:
            if column.readonly or column.name not in positions:
                continue
            try:
                values[column.name] = column.from_cell(cell(column.name))
            except ValueError as exc:
                row_errors.append(RowError(number, str(column.label), str(exc)))
        if obj is not None and not row_errors:
            changed = {
                name: value
                for name, value in values.items()
                if not next(c for c in sheet.columns if c.name == name).same(
                    sheet.stored_for_compare(obj, next(c for c in sheet.columns if c.name == name)),
                    value,
                )
            }
            if not changed:
                result.unchanged += 1
                continue
        if not row_errors and not sheet.can_write(obj, values):
            row_errors.append(RowError(number, "", _("You may not change this row.")))
        result.errors.extend(row_errors)
        if not row_errors:
            plan.append((number, obj, values, version))
    if result.errors:
        result.unchanged = 0
        return result
    labels = {c.name: str(c.label) for c in sheet.columns}
    try:
        with transaction.atomic():
            for number, obj, values, version in plan:
                try:
                    sheet.save(obj, values, version=version)
                except ValidationError as exc:
                    for name, texts in _error_items(exc):
                        for text in texts:
                            result.errors.append(RowError(number, labels.get(name, ""), text))
                except ConflictError as exc:
                    result.errors.append(RowError(number, str(VERSION_LABEL), str(exc)))
                except PermissionDenied as exc:
                    result.errors.append(
                        RowError(number, "", str(exc) or _("You may not change this row."))
                    )
                else:
                    if obj is None:
                        result.created += 1
                    else:
                        result.updated += 1
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = result.updated = result.unchanged = 0
    return result


def _error_items(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return [
            (name, [str(m) for m in ValidationError(errs).messages])
            for name, errs in exc.error_dict.items()
        ]
    return [("", [str(m) for m in exc.messages])]


# --- pages -----------------------------------------------------------------------------------


class SinergiTable(tables.Table):
    """The look of every set-up list (sortable headers, pagination, a phone-width scroll)."""

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "grid"}
        empty_text = gettext_lazy("Nothing here yet.")


class SearchFilterSet(django_filters.FilterSet):
    """A filter set with a free-text search ``q`` over ``search_fields``."""

    search_fields: ClassVar[Sequence[str]] = ()
    q = django_filters.CharFilter(
        label=gettext_lazy("Search"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        query = Q()
        for term in value.split():
            part = Q()
            for field_name in self.search_fields:
                part |= Q(**{f"{field_name}__icontains": term})
            query &= part
        return queryset.filter(query) if value.strip() else queryset


def list_page(
    request: HttpRequest,
    *,
    title: Any,
    table_class: type[tables.Table],
    filterset: django_filters.FilterSet | None = None,
    queryset: QuerySet[Any] | None = None,
    sheet: Sheet | None = None,
    create_url: str | None = None,
    create_label: Any = None,
    import_url: str | None = None,
    intro: Any = None,
    extra: dict[str, Any] | None = None,
    template: str = "core/list.html",
) -> HttpResponse:
    """A filtered, sorted, paginated list; ``?unduh=xlsx`` exports what the filter shows."""
    rows = filterset.qs if filterset is not None else queryset
    assert rows is not None, "give a filterset or a queryset"
    if sheet is not None and request.GET.get("unduh") == "xlsx":
        return export_response(sheet, rows)
    table = table_class(rows)
    tables.RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    query = request.GET.copy()
    query["unduh"] = "xlsx"
    query.pop("page", None)
    context = {
        "title": title,
        "intro": intro,
        "table": table,
        "filter": filterset,
        "export_query": query.urlencode() if sheet is not None else None,
        "create_url": create_url,
        "create_label": create_label or _("Add"),
        "import_url": import_url,
        **(extra or {}),
    }
    return render(request, template, context)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy("An exported list, changed or with new rows (no ID)."),
    )


def import_page(
    request: HttpRequest, sheet: Sheet, *, back_url: str, title: Any = None
) -> HttpResponse:
    """Upload an XLSX of ``sheet``: every error listed by row and column, or the changes
    applied at once and a summary shown on the list."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_sheet(sheet, form.cleaned_data["file"])
        if result.ok:
            messages.success(
                request,
                _("Import done: %(created)s added, %(updated)s changed, %(unchanged)s unchanged.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect(back_url)
    return render(
        request,
        "core/import.html",
        {
            "title": title or _("Import %(list)s") % {"list": sheet.title},
            "form": form,
            "result": result,
            "back_url": back_url,
            "columns": sheet.columns,
        },
        status=400 if result is not None and not result.ok else 200,
    )


# --- edit forms with optimistic locking ------------------------------------------------------


def display(value: Any) -> str:
    """A stored or typed value as the stale-save message shows it (Indonesian numbers)."""
    from sinergi.web.core.formatting import long_date, number

    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, Decimal | int | float):
        exact = Decimal(str(value)).normalize()
        exponent = int(exact.as_tuple().exponent)
        return number(exact, min(max(0, -exponent), 6))
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(value, QuerySet | list | tuple | set):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def stale_changes(form: forms.Form, stored: Any) -> list[dict[str, str]]:
    """After a stale save: the fields whose stored value (someone else's save) differs
    from what this user typed, as ``{"label", "stored", "typed"}`` rows."""
    typed_values = getattr(form, "cleaned_data", {})
    rows = []
    for name, form_field in form.fields.items():
        if name == "version" or not hasattr(stored, name):
            continue
        now = getattr(stored, name)
        if hasattr(now, "all") and callable(now.all):  # a many-to-many manager
            now = list(now.all())
        typed = typed_values.get(name, form.data.get(name))
        if isinstance(typed, QuerySet):
            typed = list(typed)
        if isinstance(now, list) and isinstance(typed, list):
            same = {getattr(v, "pk", v) for v in now} == {getattr(v, "pk", v) for v in typed}
        else:
            same = Column(name, "").same(now, typed)
        if not same:
            choices = dict(getattr(form_field, "choices", []) or [])
            rows.append(
                {
                    "label": str(form_field.label or name),
                    "stored": _choice_or_display(choices, now),
                    "typed": _choice_or_display(choices, typed),
                }
            )
    return rows


def _choice_or_display(choices: dict[Any, Any], value: Any) -> str:
    """A choice's label, or the value as :func:`display` writes it (lists included)."""
    if isinstance(value, Hashable) and value in choices:
        return str(choices[value])
    return display(value)


def keep_typed(form: forms.Form, version: int) -> forms.Form:
    """Keep what the user typed in ``form`` but with the stored ``version``, so saving again
    (after reading what changed) replaces the other save knowingly."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data
    form._errors = None  # validate again against the new data
    form.is_valid()
    return form
