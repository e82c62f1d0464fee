"""Time the quarterly monev report of the demo regency against a bare ORM scan of the same rows.

    SINERGI_DATA_DIR=/tmp/x .venv/bin/sinergi demo
    SINERGI_DATA_DIR=/tmp/x .venv/bin/python bench/monev_report_bench.py [--region 16.07 --year 2019
        --quarter 3 --synthetic 1500 --repeat 3]

``--synthetic N`` adds N illustrative copies of the demo activities (budgets, plans,
realisations, outputs) inside a transaction that is rolled back at the end, so a
regency-sized quarter (a kabupaten runs some 1,000-2,000 sub-kegiatan) can be timed
without touching the database. Prints seconds for each step and the ratio of the
report to the scan; the peer (the scan) is measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="16.07")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--quarter", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=0, help="extra activities (rolled back)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.web.settings")
    import django

    django.setup()
    from django.db import transaction

    from sinergi.web.programs import reports, services
    from sinergi.web.programs.models import (
        Activity,
        Budget,
        OutputRealisation,
        PerformanceIndicator,
        QuarterPlan,
        Realisation,
    )
    from sinergi.web.regions.models import Region

    region = Region.objects.get(code=args.region)

    def scan() -> int:
        """The peer: fetch every row the report reads, as model instances, and nothing else."""
        scope = {"activity__region": region, "activity__year": args.year}
        n = len(
            list(Activity.objects.filter(region=region, year=args.year).select_related("agency"))
        )
        n += len(list(Budget.objects.filter(**scope)))
        n += len(list(QuarterPlan.objects.filter(**scope)))
        n += len(list(Realisation.objects.filter(**scope, quarter__lte=args.quarter)))
        n += len(list(PerformanceIndicator.objects.filter(**scope)))
        n += len(
            list(
                OutputRealisation.objects.filter(
                    realisation__activity__region=region, realisation__activity__year=args.year
                )
            )
        )
        return n

    def data() -> services.MonevReport:
        return services.monev_data(region, args.year, args.quarter)

    with transaction.atomic():
        if args.synthetic:
            _add_synthetic(region, args.year, args.synthetic)
        report = data()
        rows = scan()
        t_scan = best(scan, args.repeat)
        t_data = best(data, args.repeat)
        t_xlsx = best(lambda: reports.build_xlsx(report), args.repeat)
        t_pdf = best(lambda: reports.build_pdf(report), args.repeat)
        transaction.set_rollback(True)
    total = t_data + max(t_xlsx, t_pdf)
    print(
        f"region {args.region} {args.year}-Q{args.quarter}: {len(report.rows)} activities, "
        f"{len(report.blocks)} agencies, {len(report.late)} late, {rows} rows scanned"
    )
    print(f"bare ORM scan          {t_scan:8.3f} s")
    print(f"monev_data             {t_data:8.3f} s   ratio {t_data / t_scan:6.2f}x the scan")
    print(f"XLSX (from the data)   {t_xlsx:8.3f} s")
    print(f"PDF  (from the data)   {t_pdf:8.3f} s")
    print(
        f"data + XLSX            {t_data + t_xlsx:8.3f} s   ratio {(t_data + t_xlsx) / t_scan:6.2f}x the scan"
    )
    print(
        f"data + PDF             {t_data + t_pdf:8.3f} s   ratio {(t_data + t_pdf) / t_scan:6.2f}x the scan"
    )
    print(
        f"(best of {args.repeat}; median scan {statistics.median([t_scan]):.3f} s; slowest format {total:.3f} s)"
    )


def _add_synthetic(region: object, year: int, n: int) -> None:
    """Illustrative copies of the demo activities (numbered codes), bulk-inserted."""
    from sinergi.web.programs.models import (
        Activity,
        Budget,
        OutputRealisation,
        PerformanceIndicator,
        QuarterPlan,
        Realisation,
    )

    templates = list(
        Activity.objects.filter(region=region, year=year).prefetch_related(
            "budgets", "plans", "realisations__outputs", "indicators"
        )
    )
    if not templates:
        raise SystemExit("no activities to copy: run `sinergi demo` first")
    copies = []
    for i in range(n):
        t = templates[i % len(templates)]
        copies.append(
            Activity(
                region=t.region,
                agency=t.agency,
                year=year,
                code=f"{t.code}-s{i:05d}",
                nomenclature=t.nomenclature,
                name=f"{t.name} (sintetis {i})",
                flagship=None,
                end_date=t.end_date,
                is_illustrative=True,
            )
        )
    Activity.objects.bulk_create(copies, batch_size=1000)
    budgets, plans, reals, inds = [], [], [], []
    for i, copy in enumerate(copies):
        t = templates[i % len(templates)]
        budgets += [
            Budget(activity=copy, source=b.source, amount=b.amount) for b in t.budgets.all()
        ]
        plans += [
            QuarterPlan(
                activity=copy,
                quarter=p.quarter,
                physical_pct=p.physical_pct,
                disbursement=p.disbursement,
            )
            for p in t.plans.all()
        ]
        reals += [
            Realisation(
                activity=copy,
                quarter=r.quarter,
                physical_pct=r.physical_pct,
                spent=r.spent,
                problems=r.problems,
                follow_up=r.follow_up,
                status=r.status,
            )
            for r in t.realisations.all()
        ]
        inds += [
            PerformanceIndicator(
                region=ind.region,
                year=year,
                level=ind.level,
                code=f"{ind.code}-s{i:05d}",
                activity=copy,
                agency=ind.agency,
                name=ind.name,
                unit=ind.unit,
                polarity=ind.polarity,
                additive=ind.additive,
                target=ind.target,
            )
            for ind in t.indicators.all()
        ]
    Budget.objects.bulk_create(budgets, batch_size=2000)
    QuarterPlan.objects.bulk_create(plans, batch_size=2000)
    Realisation.objects.bulk_create(reals, batch_size=2000)
    PerformanceIndicator.objects.bulk_create(inds, batch_size=2000)
    by_key = {(r.activity_id, r.quarter): r for r in reals}
    by_ind = {(ind.activity_id, ind.code.rsplit("-s", 1)[0]): ind for ind in inds}
    outputs = []
    for i, copy in enumerate(copies):
        t = templates[i % len(templates)]
        for r in t.realisations.all():
            for o in r.outputs.all():
                outputs.append(
                    OutputRealisation(
                        realisation=by_key[(copy.pk, r.quarter)],
                        indicator=by_ind[(copy.pk, o.indicator.code)],
                        value=o.value,
                    )
                )
    OutputRealisation.objects.bulk_create(outputs, batch_size=2000)


if __name__ == "__main__":
    main()
