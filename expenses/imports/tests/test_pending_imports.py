"""The upload waiting between the steps (PendingImport): kept in the database for the
household, person and cycle it was uploaded for, gone once confirmed, cancelled or expired."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.imports import services
from expenses.imports.models import PendingImport
from expenses.models import Expense

from .test_views import US, form_data, preview, token_of, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 12),
        status=Cycle.Status.ACTIVE,
    )


def _url(name, cycle):
    return reverse(f"expenses:{name}", args=[cycle.pk])


def _expire(token: str) -> None:
    PendingImport.objects.filter(token=token).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )


def test_an_upload_waits_in_the_database_for_its_household_person_and_cycle(
    owner_client, owner, household, cycle
):
    token = token_of(upload(owner_client, cycle, US, filename="november.csv"))
    pending = PendingImport.objects.get()
    assert (pending.token, pending.household, pending.uploaded_by, pending.cycle) == (
        token,
        household,
        owner,
        cycle,
    )
    assert pending.filename == "november.csv"
    hours = (pending.expires_at - pending.created_at) / datetime.timedelta(hours=1)
    assert round(hours) == services.PENDING_IMPORT_HOURS
    # The session holds no statement: it is read from the upload's row.
    kept = owner_client.session.keys()
    assert not [key for key in kept if "import" in key]
    assert "november.csv" in preview(owner_client, cycle, token).content.decode()


def test_another_member_of_the_household_cannot_use_the_upload(owner_client, member_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    assert preview(member_client, cycle, token).status_code == 404
    assert member_client.post(_url("import_cancel", cycle), {"token": token}).status_code == 404
    assert PendingImport.objects.filter(token=token).exists()


def test_cancelling_forgets_the_upload_and_returns_to_the_cycle(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    response = owner_client.post(_url("import_cancel", cycle), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("cycles:detail", args=[cycle.pk])
    assert not PendingImport.objects.exists()
    assert Expense.objects.count() == 0
    assert preview(owner_client, cycle, token).status_code == 404


def test_cancelling_answers_htmx_with_a_redirect_header(owner_client, cycle, htmx_headers):
    token = token_of(upload(owner_client, cycle, US))
    response = owner_client.post(_url("import_cancel", cycle), {"token": token}, **htmx_headers)
    assert response["HX-Redirect"] == reverse("cycles:detail", args=[cycle.pk])
    assert not PendingImport.objects.exists()


def test_confirming_forgets_the_upload(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    page = preview(owner_client, cycle, token)
    assert owner_client.post(_url("import_confirm", cycle), form_data(page)).status_code == 302
    assert not PendingImport.objects.exists()


def test_an_expired_upload_is_404_and_removed_by_the_next_upload(owner_client, cycle):
    old = token_of(upload(owner_client, cycle, US))
    _expire(old)
    response = preview(owner_client, cycle, old)
    assert response.status_code == 404
    assert "Upload the file again" in response.content.decode()
    new = token_of(upload(owner_client, cycle, US))
    assert list(PendingImport.objects.values_list("token", flat=True)) == [new]


def test_an_upload_removes_other_households_expired_uploads_too(
    owner_client, stranger_client, cycle, other_household
):
    theirs = CycleFactory(
        household=other_household,
        start_date=cycle.start_date,
        end_date=cycle.end_date,
        status=Cycle.Status.ACTIVE,
    )
    _expire(token_of(upload(stranger_client, theirs, US)))
    token_of(upload(owner_client, cycle, US))
    assert list(PendingImport.objects.values_list("household", flat=True)) == [cycle.household_id]


def test_cleanup_command_deletes_only_expired_uploads(owner_client, cycle):
    expired, waiting = (token_of(upload(owner_client, cycle, US)) for _ in range(2))
    _expire(expired)
    out = StringIO()
    call_command("cleanup_pending_imports", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 expired pending import."
    assert list(PendingImport.objects.values_list("token", flat=True)) == [waiting]
    quiet = StringIO()
    call_command("cleanup_pending_imports", "--quiet", stdout=quiet)
    assert quiet.getvalue() == ""


def test_deleting_the_cycle_deletes_its_waiting_upload(owner_client, cycle):
    token_of(upload(owner_client, cycle, US))
    Cycle.objects.filter(pk=cycle.pk).delete()
    assert not PendingImport.objects.exists()


def test_a_second_upload_leaves_the_first_preview_working(owner_client, cycle, htmx_headers):
    first = token_of(upload(owner_client, cycle, US, filename="card.csv"))
    assert preview(owner_client, cycle, first).status_code == 200
    second = token_of(upload(owner_client, cycle, US, filename="checking.csv"))
    # The first tab changes a row after the second upload: its preview still answers.
    page = preview(owner_client, cycle, first)
    response = owner_client.post(
        _url("import_preview", cycle), form_data(page, **{"row-2-do": "skip"}), **htmx_headers
    )
    assert response.status_code == 200
    assert 'id="import-line-2" data-status="import" data-action="skip"' in response.content.decode()
    assert set(PendingImport.objects.values_list("token", flat=True)) == {first, second}


def test_a_new_upload_pushes_out_the_upload_used_least_recently(owner_client, cycle):
    tokens = [
        token_of(upload(owner_client, cycle, US)) for _ in range(services.MAX_PENDING_IMPORTS)
    ]
    # The oldest upload is the one still being looked at.
    assert preview(owner_client, cycle, tokens[0]).status_code == 200
    newest = token_of(upload(owner_client, cycle, US))
    assert preview(owner_client, cycle, tokens[0]).status_code == 200
    assert preview(owner_client, cycle, tokens[1]).status_code == 404
    kept = set(PendingImport.objects.values_list("token", flat=True))
    assert kept == {tokens[0], *tokens[2:], newest}


def test_a_preview_keeps_its_upload_waiting_from_the_latest_use(owner_client, cycle):
    token = token_of(upload(owner_client, cycle, US))
    PendingImport.objects.filter(token=token).update(
        expires_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert preview(owner_client, cycle, token).status_code == 200
    left = PendingImport.objects.get(token=token).expires_at - timezone.now()
    assert round(left / datetime.timedelta(hours=1)) == services.PENDING_IMPORT_HOURS
