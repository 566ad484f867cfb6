"""Real files from German, Dutch, French and US banks through the real preview: two-digit
years, pending words in the bank's own language, Windows-1252 before other code pages, another
encoding chosen in the preview (the kept upload read again), the currency remembered per
payment method, and the choices folded to what was not detected."""

from __future__ import annotations

import datetime
import importlib
import re
import zlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from cycles.models import Cycle
from cycles.tests.factories import CycleFactory
from expenses.imports import limits, pipeline
from expenses.imports.csv_reader import detect_mapping, read_table, state_of
from expenses.imports.decoding import decode_text
from expenses.imports.models import ImportProfile, PendingImport
from expenses.imports.values import detect_date_format, parse_date
from expenses.models import Expense
from expenses.tests.factories import PaymentMethodFactory

from .test_import_features import DATA, _url, confirm, open_preview, proposal, upload
from .test_views import form_data, preview, token_of

pytestmark = pytest.mark.django_db

SPARKASSE = "sparkasse-camt-cp1252.csv"
# A French bank's export in Latin-1: "Crèche" must not come out as "Crčche".
FRENCH_LATIN_1 = (
    "Date;Libellé;Montant\n"
    "02/11/2026;Crèche des Lilas;-420,00\n"
    "03/11/2026;Boulangerie Sainte-Thérèse;-3,20\n"
    "14/11/2026;Café de la Gare;-12,50\n"
).encode("latin-1")
# A Czech bank's export in Windows-1250 whose letters also make Western text.
CZECH_1250 = (
    "Datum;Popis;Částka\n02.11.2026;Potraviny Vyšehrad;-214,00\n03.11.2026;Lékárna U Čápa;-89,00\n"
).encode("cp1250")


@pytest.fixture
def household(household):
    household.base_currency = "EUR"
    household.save(update_fields=["base_currency"])
    return household


@pytest.fixture
def cycle(household):
    return CycleFactory(
        household=household,
        name="November",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 12),
        status=Cycle.Status.ACTIVE,
    )


def _text(response) -> str:
    return response.content.decode()


def _fact(response, name: str) -> str:
    match = re.search(rf'data-fact="{name}">([^<]*)<', _text(response))
    assert match, f"no {name} fact"
    return match.group(1)


def _reread(client, cycle, page, **changes):
    """The preview POSTed as HTMX does on a change."""
    return client.post(_url("import_preview", cycle), form_data(page, **changes))


# -- two-digit years -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key", "expected"),
    [
        ("01.12.26", "dmy_dot_short", datetime.date(2026, 12, 1)),
        ("1.2.26", "dmy_dot_short", datetime.date(2026, 2, 1)),
        ("12/01/26", "mdy_slash_short", datetime.date(2026, 12, 1)),
        ("12/01/26", "dmy_slash_short", datetime.date(2026, 1, 12)),
        ("03-11-26", "dmy_dash_short", datetime.date(2026, 11, 3)),
        ("01.12.2026", "dmy_dot_short", None),
        ("01.12.26", "dmy_dot", None),
        ("31.02.26", "dmy_dot_short", None),
    ],
)
def test_two_digit_years_are_this_century(value, key, expected):
    assert parse_date(value, key) == expected


def test_two_digit_slash_dates_are_decided_by_the_cycle_then_by_the_household():
    values = ["12/01/26", "12/03/26", "12/05/26"]
    december = (datetime.date(2026, 11, 20), datetime.date(2026, 12, 31))
    january = (datetime.date(2026, 1, 1), datetime.date(2026, 2, 11))
    assert detect_date_format(values, window=december).key == "mdy_slash_short"
    assert detect_date_format(values, window=january).key == "dmy_slash_short"
    undecided = detect_date_format(values, month_first=False)
    assert (undecided.key, undecided.ambiguous) == ("dmy_slash_short", True)
    assert detect_date_format(values, month_first=True).key == "mdy_slash_short"
    # A day above 12 decides alone.
    assert detect_date_format(["13/01/26", "02/01/26"]).key == "dmy_slash_short"


# -- pending words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ("Umsatz vorgemerkt", "pending"),
        ("vorgemerkt", "pending"),
        ("Gereserveerd", "pending"),
        ("En attente", "pending"),
        ("pendiente", "pending"),
        ("PENDING", "pending"),
        ("authorized", "pending"),
        ("Umsatz gebucht", ""),
        ("Geboekt", ""),
        ("Comptabilisé", ""),
        ("KARTENZAHLUNG", None),
    ],
)
def test_status_words_in_the_banks_own_languages(value, state):
    assert state_of(value) == state


def test_a_sparkasse_file_is_mapped_from_its_own_headers():
    table = read_table(decode_text((DATA / SPARKASSE).read_bytes()).text)
    mapping = detect_mapping(table, base_currency="EUR")
    named = {
        name: table.header[index]
        for name in ("date_column", "description_column", "amount_column", "status_column")
        for index in [getattr(mapping, name)]
    }
    assert named == {
        "date_column": "Buchungstag",
        "description_column": "Beguenstigter/Zahlungspflichtiger",
        "amount_column": "Betrag",
        "status_column": "Info",
    }
    assert (mapping.date_format, mapping.decimal_comma) == ("dmy_dot_short", True)
    assert table.header[mapping.currency_column] == "Waehrung"


def test_a_sparkasse_statement_imports_booked_rows_and_leaves_pending_ones_out(owner_client, cycle):
    page = open_preview(owner_client, cycle, SPARKASSE)
    assert page.status_code == 200
    assert _fact(page, "encoding") == "Windows-1252"
    assert page.context["form"]["date_format"].value() == "dmy_dot_short"
    assert page.context["counts"]["import"] == 4
    assert page.context["counts"]["income"] == 1
    assert page.context["counts"]["pending"] == 2
    body = _text(page)
    assert "Crèche Sonnenschein e.V." in body
    assert "Bäckerei Müller" in body
    pending = proposal(page, 7)
    assert (pending.row.status, pending.action) == ("pending", "skip")
    assert "Pending at the bank" in body

    done = confirm(owner_client, cycle, page)
    assert done.status_code == 302
    imported = dict(Expense.objects.filter(cycle=cycle).values_list("description", "date"))
    assert imported == {
        "REWE Markt GmbH": datetime.date(2026, 11, 3),
        "Stadtwerke München GmbH": datetime.date(2026, 11, 5),
        "Bäckerei Müller": datetime.date(2026, 11, 14),
        "dm-drogerie markt": datetime.date(2026, 12, 1),
    }
    assert Expense.objects.get(description="Bäckerei Müller").amount == Decimal("7.95")


def test_a_pending_sparkasse_row_is_imported_when_the_household_asks(owner_client, cycle):
    page = open_preview(owner_client, cycle, SPARKASSE)
    assert confirm(owner_client, cycle, page, **{"row-7-do": "new"}).status_code == 302
    creche = Expense.objects.get(description="Crèche Sonnenschein e.V.")
    assert (creche.amount, creche.currency, creche.date) == (
        Decimal("1120.00"),
        "EUR",
        datetime.date(2026, 12, 2),
    )
    assert not Expense.objects.filter(description="Aral Tankstelle").exists()


def test_a_dkb_statement_below_its_preamble_is_read_from_its_header(owner_client, cycle):
    page = open_preview(owner_client, cycle, "dkb-girokonto-utf8.csv")
    assert page.status_code == 200
    table = page.context["statement"].table
    assert table.header[:3] == ("Buchungsdatum", "Wertstellung", "Status")
    assert page.context["form"]["date_format"].value() == "dmy_dot_short"
    assert _fact(page, "encoding") == "UTF-8 (with byte-order mark)"
    assert page.context["counts"] == {
        "import": 3,
        "duplicate": 0,
        "income": 1,
        "pending": 1,
        "transfer": 0,
        "invalid": 0,
        "outside": 0,
    }
    assert proposal(page, 7).row.status == "pending"  # "Vorgemerkt"
    assert confirm(owner_client, cycle, page).status_code == 302
    assert dict(Expense.objects.values_list("description", "amount")) == {
        "RheinEnergie AG": Decimal("88.00"),
        "Buchhandlung Größenwahn": Decimal("24.95"),
        "Café Zentral": Decimal("6.40"),
    }


def test_a_preamble_does_not_count_against_the_row_limit():
    preamble = '"Girokonto";"DE07"\n"Zeitraum:";"11.2026"\n'
    header = '"Datum";"Wertstellung";"Status";"Name";"Zweck";"Betrag"\n'
    row = '"02.11.26";"02.11.26";"Gebucht";"Shop";"Karte";"-1,00"\n'
    table = read_table(preamble + header + row * limits.MAX_ROWS)
    assert table.header[0] == "Datum"
    assert len(table.rows) == limits.MAX_ROWS
    with pytest.raises(limits.UnreadableFile, match="more than 5,000"):
        read_table(preamble + header + row * (limits.MAX_ROWS + 1))


# -- encodings -----------------------------------------------------------------------------------


def test_a_latin_1_file_reads_as_western_european_text(owner_client, cycle):
    page = open_preview(owner_client, cycle, FRENCH_LATIN_1)
    assert _fact(page, "encoding") == "Windows-1252"
    assert "Crèche des Lilas" in _text(page)
    assert "Crčche" not in _text(page)
    assert confirm(owner_client, cycle, page).status_code == 302
    assert set(Expense.objects.values_list("description", flat=True)) == {
        "Crèche des Lilas",
        "Boulangerie Sainte-Thérèse",
        "Café de la Gare",
    }


def test_polish_and_russian_files_keep_their_own_code_pages():
    polish = (
        "Data;Opis;Kwota\n2026-11-02;Żabka sklep spożywczy;-14,50\n2026-11-04;Księgarnia;-45,99\n"
    )
    russian = "Дата;Описание;Сумма\n2026-11-02;Пятёрочка продукты;-450,00\n"
    assert decode_text(polish.encode("cp1250")).text == polish
    assert decode_text(russian.encode("cp1251")).text == russian


def test_choosing_another_encoding_reads_the_kept_upload_again(owner_client, cycle):
    page = open_preview(owner_client, cycle, CZECH_1250)
    # Western European first: the Czech letters come out wrong, and the preview says why.
    assert _fact(page, "encoding") == "Windows-1252"
    assert "Lékárna U Èápa" in _text(page)
    assert page.context["form"]["encoding"].value() == "cp1252"

    reread = _reread(owner_client, cycle, page, encoding="cp1250")
    assert reread.status_code == 200
    assert _fact(reread, "encoding") == "Windows-1250"
    assert "Lékárna U Čápa" in _text(reread)
    assert PendingImport.objects.count() == 1  # no second upload

    done = confirm(owner_client, cycle, reread)
    assert done.status_code == 302
    assert set(Expense.objects.values_list("description", flat=True)) == {
        "Potraviny Vyšehrad",
        "Lékárna U Čápa",
    }


def test_the_encoding_chosen_is_remembered_for_the_payment_method(owner_client, cycle, household):
    bank = PaymentMethodFactory(household=household, name="Česká spořitelna", kind="bank_account")
    first = open_preview(owner_client, cycle, CZECH_1250, payment_method=bank)
    reread = _reread(owner_client, cycle, first, encoding="cp1250")
    assert confirm(owner_client, cycle, reread).status_code == 302
    assert ImportProfile.objects.get(payment_method=bank).settings["encoding"] == "cp1250"

    december = "Datum;Popis;Částka\n01.12.2026;Květinářství Černá;-156,00\n".encode("cp1250")
    second = open_preview(owner_client, cycle, december, payment_method=bank)
    assert _fact(second, "encoding") == "Windows-1250"
    assert "Květinářství Černá" in _text(second)
    # A file without a payment method is still read as Western European first...
    assert _fact(open_preview(owner_client, cycle, december), "encoding") == "Windows-1252"
    # ...and a UTF-8 file is never read in the remembered code page.
    utf8 = open_preview(
        owner_client, cycle, december.decode("cp1250").encode(), payment_method=bank
    )
    assert _fact(utf8, "encoding") == "UTF-8"


@pytest.mark.parametrize("encoding", ["utf_8", "utf_16", "rot_13", "zlib_codec", "x" * 5000])
def test_an_encoding_the_file_does_not_read_in_is_a_form_error(owner_client, cycle, encoding):
    page = open_preview(owner_client, cycle, CZECH_1250)
    refused = _reread(owner_client, cycle, page, encoding=encoding)
    assert refused.status_code == 422
    errors = refused.context["form"].errors["encoding"]
    assert errors and ("cannot be read as" in errors[0] or "valid choice" in errors[0])
    # Confirming with it imports nothing.
    assert confirm(owner_client, cycle, page, encoding=encoding).status_code == 422
    assert not Expense.objects.exists()


def test_a_kept_upload_is_never_inflated_past_the_upload_limit(owner_client, cycle):
    bomb = zlib.compress(b"a" * (limits.MAX_UPLOAD_BYTES + 1024), 9)
    with pytest.raises(limits.UnreadableFile, match="larger than 10 MB"):
        pipeline.unpack_upload(bomb)
    with pytest.raises(limits.UnreadableFile):
        pipeline.unpack_upload(b"not zlib at all")
    # A damaged upload row is a 404, never a 500.
    token = token_of(upload(owner_client, cycle, FRENCH_LATIN_1))
    PendingImport.objects.update(content=bomb)
    assert preview(owner_client, cycle, token).status_code == 404
    PendingImport.objects.update(content=b"garbage")
    assert preview(owner_client, cycle, token).status_code == 404


def test_uploads_waiting_at_the_migration_keep_their_text(cycle, household, owner):
    migration = importlib.import_module(
        "expenses.migrations.0014_pendingimport_keeps_the_uploaded_bytes"
    )
    text = "Date;Libellé;Montant\n02/11/2026;Crèche;-4,00\n"
    waiting = PendingImport.objects.create(
        household=household,
        uploaded_by=owner,
        cycle=cycle,
        token="waiting",
        filename="old.csv",
        encoding="cp1252",
        content=zlib.compress(text.encode("utf-8")),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    migration.text_to_bytes(apps, None)
    waiting.refresh_from_db()
    assert pipeline.unpack_upload(bytes(waiting.content)) == text.encode("cp1252")
    migration.bytes_to_text(apps, None)
    waiting.refresh_from_db()
    assert zlib.decompress(bytes(waiting.content)).decode("utf-8") == text


# -- the currency remembered per payment method --------------------------------------------------


def test_the_currency_chosen_for_a_file_without_one_is_remembered_per_payment_method(
    owner_client, cycle, household
):
    card = PaymentMethodFactory(household=household, name="Chase Visa", kind="card")
    other_card = PaymentMethodFactory(household=household, name="Amex", kind="card")
    first = open_preview(owner_client, cycle, "bank-us-card.csv", payment_method=card)
    assert first.context["form"]["currency"].value() == "EUR"  # the household's, a guess
    assert confirm(owner_client, cycle, first, currency="USD").status_code == 302
    assert ImportProfile.objects.get(payment_method=card).settings["currency"] == "USD"
    assert set(Expense.objects.values_list("currency", flat=True)) == {"USD"}

    # The same card's next statement, even in another layout, is read in dollars...
    text = b"Date,Payee,Amount\n03/12/2026,Corner Deli,-8.00\n04/12/2026,Book Shop,-21.00\n"
    again = open_preview(owner_client, cycle, text, payment_method=card)
    assert again.context["form"]["currency"].value() == "USD"
    assert proposal(again, 2).row.currency == "USD"
    # ...while its dates still follow the household (day first), not the dollar.
    assert again.context["form"]["date_format"].value() == "dmy_slash"
    assert proposal(again, 2).row.date == datetime.date(2026, 12, 3)
    same_layout = open_preview(owner_client, cycle, "bank-us-card.csv", payment_method=card)
    assert same_layout.context["remembered"]
    assert same_layout.context["form"]["currency"].value() == "USD"
    # Another card does not inherit it.
    amex = open_preview(owner_client, cycle, text, payment_method=other_card)
    assert amex.context["form"]["currency"].value() == "EUR"


def test_a_remembered_currency_colony_does_not_know_is_ignored(owner_client, cycle, household):
    card = PaymentMethodFactory(household=household, name="Old card")
    ImportProfile.objects.create(
        household=household, payment_method=card, settings={"currency": "ZZZ"}
    )
    page = open_preview(owner_client, cycle, "bank-us-card.csv", payment_method=card)
    assert page.status_code == 200
    assert page.context["form"]["currency"].value() == "EUR"


# -- the choices, folded to what was not detected ------------------------------------------------


# The folded choices rendered open (not its data-open-input attribute).
OPENED = re.compile(r'<details class="import-choices"[^>]*\sopen[\s>]')


def _undetected(page) -> list[str]:
    return [field.name for field in page.context["form"].undetected_fields()]


def test_only_what_was_not_detected_is_shown_unfolded(owner_client, cycle, household):
    page = open_preview(owner_client, cycle, "bank-us-card.csv")
    # Every column was found; rows without a currency take the household's: a guess to check.
    assert _undetected(page) == ["currency"]
    body = _text(page)
    shown = body.split('id="import-undetected"', 1)[1].split("<details", 1)[0]
    assert 'name="currency"' in shown and 'name="date_column"' not in shown
    folded = body.split("<details", 1)[1].split("</details>", 1)[0]
    assert 'name="date_column"' in folded and 'name="encoding"' in folded
    assert OPENED.search(body) is None

    # The Dutch bank's "Bedrag (EUR)" says the currency.
    assert _undetected(open_preview(owner_client, cycle, "bank-nl-semicolon.csv")) == []

    ambiguous = b"Date,Description,Amount,Currency\n01/02/2026,Shop,-1.00,EUR\n"
    january = CycleFactory(
        household=household,
        start_date=datetime.date(2026, 1, 10),
        end_date=datetime.date(2026, 1, 20),
        status=Cycle.Status.DRAFT,
    )
    assert _undetected(open_preview(owner_client, january, ambiguous)) == ["date_format"]


def test_a_choice_in_error_is_shown_and_opened_choices_stay_open(owner_client, cycle):
    page = open_preview(owner_client, cycle, "bank-us-card.csv")
    same_column = _reread(owner_client, cycle, page, description_column=0)
    assert same_column.status_code == 422
    assert "description_column" in _undetected(same_column)
    kept_open = _reread(owner_client, cycle, page, show_choices="1")
    assert OPENED.search(_text(kept_open))
    assert re.search(r'id="import-show-choices"\s+value="1"', _text(kept_open))
