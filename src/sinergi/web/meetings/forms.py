"""Forms of the meeting pages (input parsing only; the rules live in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.web.indicators.models import Indicator
from sinergi.web.meetings.choices import (
    ActionStatus,
    Decision,
    MeetingKind,
    OrgLevel,
    ProblemLevel,
    ScoringMethod,
)
from sinergi.web.meetings.models import ActionItem, Organisation, Problem
from sinergi.web.programs.choices import DocumentType
from sinergi.web.programs.forms import AmountField
from sinergi.web.programs.importer import parse_number


class DateInput(forms.DateInput):
    input_type = "date"


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    host = forms.ModelChoiceField(
        label=_("Host"), queryset=Organisation.objects.all(), required=False
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating organisations"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    year = forms.IntegerField(
        label=_("Year reviewed"),
        min_value=1990,
        max_value=2100,
        required=False,
        help_text=_(
            "The year whose indicators and monev are reviewed (default: the meeting's year)."
        ),
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter reviewed"),
        choices=[("", "–"), (1, "I"), (2, "II"), (3, "III"), (4, "IV")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    decisions = forms.CharField(
        label=_("Decisions (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date") and not data.get("year"):
            data["year"] = data["date"].year
        return data


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=300)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)


class AttendanceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    represented_by = forms.CharField(label=_("Represented by"), max_length=200, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.ACCEPTED, _("Accept")),
            (Decision.MERGED, _("Merge into")),
            (Decision.REJECTED, _("Reject")),
        ],
    )
    into = forms.ModelChoiceField(
        label=_("Merge into"), queryset=Problem.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, meeting: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["into"].queryset = meeting.problems.filter(decision=Decision.ACCEPTED)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == Decision.MERGED and not data.get("into"):
            self.add_error("into", _("Choose the problem to merge into."))
        return data


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("Problem"), max_length=400)
    level = forms.ChoiceField(
        label=_("Level"), choices=ProblemLevel.choices, initial=ProblemLevel.PROBLEM
    )
    parent = forms.ModelChoiceField(
        label=_("Under"), queryset=Problem.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Linked indicators"), queryset=Indicator.objects.all(), required=False
    )

    def __init__(self, *args: Any, meeting: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["parent"].queryset = meeting.problems.filter(  # type: ignore[attr-defined]
                decision=Decision.ACCEPTED, level__in=[ProblemLevel.CORE, ProblemLevel.PROBLEM]
            )


class PlaceForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=ProblemLevel.choices)
    parent = forms.ModelChoiceField(
        label=_("Under"), queryset=Problem.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, meeting: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["parent"].queryset = meeting.problems.filter(  # type: ignore[attr-defined]
                decision=Decision.ACCEPTED, level__in=[ProblemLevel.CORE, ProblemLevel.PROBLEM]
            )


SCORES = [("", "–")] + [(i, str(i)) for i in range(1, 6)]


class UsgForm(forms.Form):
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=SCORES, coerce=int, empty_value=None, required=False
    )
    seriousness = forms.TypedChoiceField(
        label=_("Seriousness"), choices=SCORES, coerce=int, empty_value=None, required=False
    )
    growth = forms.TypedChoiceField(
        label=_("Growth"), choices=SCORES, coerce=int, empty_value=None, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RecommendationForm(forms.Form):
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 2}))
    problem = forms.ModelChoiceField(
        label=_("For the problem"), queryset=Problem.objects.none(), required=False
    )
    level = forms.ChoiceField(label=_("Addressed to (level)"), choices=OrgLevel.choices)
    addressee = forms.ModelChoiceField(
        label=_("Addressed to (organisation)"), queryset=Organisation.objects.all(), required=False
    )

    def __init__(self, *args: Any, meeting: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["problem"].queryset = meeting.problems.filter(decision=Decision.ACCEPTED)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org = data.get("addressee")
        if org is not None and data.get("level") and org.level != data["level"]:
            self.add_error("addressee", _("This organisation is not at the level chosen."))
        return data


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=400)
    owner = forms.ModelChoiceField(
        label=_("Owner organisation"), queryset=Organisation.objects.all()
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.NOT_STARTED
    )
    progress = AmountField(label=_("Progress (%)"), initial="0")
    weight = AmountField(label=_("Weight"), initial="1")
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, plan: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not plan:  # an OPD user: status, progress and notes only
            for name in ("title", "owner", "due_date", "weight"):
                self.fields[name].disabled = True

    def clean_progress(self) -> Any:
        value = self.cleaned_data.get("progress")
        if value is None or not 0 <= value <= 100:
            raise forms.ValidationError(_("Enter a progress from 0 to 100."))
        return value.quantize(type(value)("0.01"))

    def clean_weight(self) -> Any:
        value = self.cleaned_data.get("weight")
        if value is None or value <= 0:
            raise forms.ValidationError(_("Enter a positive weight, e.g. 1 or 2,5."))
        return value.quantize(type(value)("0.01"))

    @classmethod
    def initial_for(cls, item: ActionItem) -> dict[str, Any]:
        return {
            "title": item.title,
            "owner": item.owner_id,
            "due_date": item.due_date,
            "status": item.status,
            "progress": item.progress,
            "weight": item.weight,
            "notes": item.notes,
            "version": item.version,
        }


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    doc_type = forms.ChoiceField(
        label=_("Type"), choices=DocumentType.choices, initial=DocumentType.REPORT
    )
    file = forms.FileField(label=_("File"))


class MatrixImportForm(forms.Form):
    file = forms.FileField(label=_("Follow-up matrix (.xlsx)"))


class ScoringForm(forms.Form):
    scoring = forms.ChoiceField(label=_("Problem scoring"), choices=ScoringMethod.choices)
    criteria = forms.CharField(
        label=_("Weighted criteria (one a line: name = weight)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: Impact = 40. The weights must sum to 100."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parsed = []
        for number, line in enumerate((data.get("criteria") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, weight = line.rpartition("=")
            try:
                value = parse_number(weight) if sep else None
            except ValueError:
                value = None
            if not name.strip() or value is None or value <= 0:
                self.add_error(
                    "criteria", _("Line %(n)s: write it as name = weight.") % {"n": number}
                )
                continue
            parsed.append((name.strip()[:120], value))
        data["parsed"] = parsed
        if data.get("scoring") == ScoringMethod.WEIGHTED and not parsed and not self.errors:
            self.add_error("criteria", _("Give the weighted criteria."))
        return data
