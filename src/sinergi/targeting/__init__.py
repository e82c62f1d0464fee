"""Household registry and welfare ranking (pure Python on the engine layer; no Django).

Registry releases are validated whole, pseudonymised and stored as immutable
Parquet (:mod:`.releases`), compared (:mod:`.compare`); NIK rules live in
:mod:`.nik`, the keyed hash and encryption in :mod:`.pseudonym`, the input
layout in :mod:`.schema`. Targeting errors, coverage and overlaps of the
programmes' beneficiary lists against the registry's deciles live in
:mod:`.convergence`.

Examples
--------
>>> from sinergi.targeting import check_nik, mask
>>> check_nik("1607050107800001", birth_date=None, sex="M", kecamatan_prefixes={"16.07.05"})
[]
>>> mask("1607050107800001")
'1607**********01'
"""

from .compare import Comparison, compare_releases
from .convergence import (
    convergence,
    overlap,
    unmatched,
    unreached_eligible,
    well_off_multiple,
)
from .nik import check_nik, mask
from .pseudonym import Pseudonymiser
from .releases import (
    InputFileError,
    ReleaseInvalid,
    ReleaseManifest,
    RowError,
    ValidationReport,
    read_release,
    validate_release,
    write_release,
)

__all__ = [
    "Comparison",
    "InputFileError",
    "Pseudonymiser",
    "ReleaseInvalid",
    "ReleaseManifest",
    "RowError",
    "ValidationReport",
    "check_nik",
    "compare_releases",
    "convergence",
    "mask",
    "overlap",
    "read_release",
    "unmatched",
    "unreached_eligible",
    "validate_release",
    "well_off_multiple",
    "write_release",
]
