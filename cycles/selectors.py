"""The cycle core's reads: one way to find a household's cycle for a page, an API route or an
import, with the 404 for another household's and the 409 for a completed one."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import Household
from colony.dates import day_after

from .exceptions import CycleAlreadyCompleted
from .models import Cycle


def later_completed_exists() -> RawSQL:
    """For annotating cycles (a queryset of Cycle itself): whether a later cycle of the same
    household is completed. Written as SQL: built with Exists and OuterRef it took longer to
    compile than the cycle page's query took to run (it is on every cycle page)."""
    table = connection.ops.quote_name(Cycle._meta.db_table)
    # Only the model's own table name is formatted in; the status is a parameter.
    return RawSQL(  # noqa: S611
        f"EXISTS (SELECT 1 FROM {table} later WHERE later.household_id = {table}.household_id"  # noqa: S608
        f" AND later.status = %s AND later.start_date > {table}.start_date)",
        (Cycle.Status.COMPLETED.value,),
        output_field=BooleanField(),
    )


def _cycle_query(household_id: int, pk: int, *, for_page: bool) -> QuerySet[Cycle]:
    cycles = Cycle.objects.select_related("reopened_by").filter(household_id=household_id, pk=pk)
    if for_page:
        cycles = cycles.annotate(has_later_completed=later_completed_exists())
    return cycles


def household_cycle(
    household: Household | None, pk, *, open_only: bool = False, for_page: bool = False
) -> Cycle:
    """The household's cycle `pk` (holding `household` itself, for the base currency), or 404 —
    the same answer for a cycle that does not exist, one of another household and a malformed
    id. `open_only` refuses a completed cycle with CycleAlreadyCompleted (409): it is read-only.
    `for_page` also says whether a later cycle is completed (`has_later_completed`: then it
    cannot be reopened)."""
    if household is None:
        raise Http404("No cycle here")
    try:
        cycle = _cycle_query(household.pk, pk, for_page=for_page).get()
    except (ValueError, TypeError) as error:
        raise Http404("Bad id") from error
    except Cycle.DoesNotExist as error:
        raise Http404("No cycle here") from error
    # The lookup is scoped to this household, so it is the cycle's: no join to load it again.
    cycle.household = household
    if open_only and cycle.is_completed:
        raise CycleAlreadyCompleted()
    return cycle


def next_cycle_start(household: Household, *, today: date) -> date:
    """The day after the household's latest cycle ends, or today when it has none: where a new
    cycle, a template preview and the forecast begin."""
    latest_end = (
        Cycle.objects.filter(household=household)
        .order_by("-end_date")
        .values_list("end_date", flat=True)
        .first()
    )
    return day_after(latest_end, default=today)
