"""Forms: the data entry grid (one input per element and category) and the file import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.collection.models import DataElement
from sinergi.web.collection.validation import Cell, Issue, figure_text, parse_number


def cell_name(code: str, category: str) -> str:
    return f"v:{code}:{category}"


def _text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


@dataclass
class GridCell:
    name: str
    category: str
    label: object
    text: str
    error: str = ""
    issues: list[Issue] = field(default_factory=list)
    server_text: str | None = None  # the stored value, when a conflict shows it differs
    previous_text: str = ""  # the approved value of the period before

    @property
    def state(self) -> str:
        """``bad`` (blocks submission), ``warn`` (needs a comment) or ``""``."""
        if self.error or any(i.is_hard and i.kind != "missing" for i in self.issues):
            return "bad"
        return "warn" if any(not i.is_hard for i in self.issues) else ""

    @property
    def shown_issues(self) -> list[Issue]:
        return [i for i in self.issues if i.kind != "missing"]

    @property
    def display(self) -> str:
        """The stored figure as people read it (``2.567``), for read-only pages."""
        return _shown(self.text)

    @property
    def previous_display(self) -> str:
        return _shown(self.previous_text)


def _shown(text: str) -> str:
    try:
        return figure_text(Decimal(text)) if text else "–"
    except ArithmeticError:
        return text


@dataclass
class GridRow:
    element: DataElement
    cells: list[GridCell]


@dataclass
class EntryGrid:
    """The data entry grid: what the user typed (or what is stored), cell by cell."""

    rows: list[GridRow]
    values: dict[Cell, Decimal | None]
    comments: dict[str, str]

    @property
    def errors(self) -> list[str]:
        return [c.error for r in self.rows for c in r.cells if c.error]

    @property
    def filled(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.text.strip())

    @property
    def total(self) -> int:
        return sum(len(r.cells) for r in self.rows)

    @classmethod
    def from_values(
        cls, elements: Sequence[DataElement], values: Mapping[Cell, Decimal]
    ) -> EntryGrid:
        rows = [
            GridRow(
                e,
                [
                    GridCell(cell_name(e.code, cat), cat, label, _text(values.get((e.code, cat))))
                    for cat, label in e.categories
                ],
            )
            for e in elements
        ]
        return cls(rows, dict(values), {})

    @classmethod
    def from_post(cls, elements: Sequence[DataElement], data: Mapping[str, str]) -> EntryGrid:
        rows, values = [], {}
        for e in elements:
            cells = []
            for cat, label in e.categories:
                name = cell_name(e.code, cat)
                text = (data.get(name) or "").strip()
                cell = GridCell(name, cat, label, text)
                try:
                    values[(e.code, cat)] = parse_number(text, e.value_type)
                except ValueError as exc:
                    where = e.label + (f" ({label})" if cat else "")
                    cell.error = f"{where}: {exc}"
                cells.append(cell)
            rows.append(GridRow(e, cells))
        comments = {k[2:]: v for k, v in data.items() if k.startswith("c:")}
        return cls(rows, values, comments)

    def attach(self, issues: Sequence[Issue]) -> None:
        """Show each issue next to its cell."""
        index = {(r.element.code, c.category): c for r in self.rows for c in r.cells}
        for issue in issues:
            cell = index.get((issue.element, issue.category))
            if cell is None and issue.element:
                cell = index.get((issue.element, ""))
            if cell is None:
                row = next((r for r in self.rows if r.element.code == issue.element), None)
                cell = row.cells[0] if row else None
            if cell is not None:
                cell.issues.append(issue)

    def show_previous(self, previous: Mapping[Cell, Decimal]) -> None:
        for row in self.rows:
            for cell in row.cells:
                cell.previous_text = _text(previous.get((row.element.code, cell.category)))

    def mark_conflicts(self, stored: Mapping[Cell, Decimal]) -> int:
        """Flag cells where the stored value differs from what the user typed."""
        differing = 0
        for row in self.rows:
            for cell in row.cells:
                server = _text(stored.get((row.element.code, cell.category)))
                if server != _text(self.values.get((row.element.code, cell.category))):
                    cell.server_text = server or "–"
                    differing += 1
        return differing


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("One row per region, with the columns of the template; at most 5 MB."),
    )
    valid_only = forms.BooleanField(
        label=_("Import the valid rows and skip the bad ones"), required=False
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
