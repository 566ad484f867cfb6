"""Money fields in forms."""


def test_currency_fields_share_their_choices_and_a_form_can_still_offer_others():
    from django import forms

    from exchange.forms import CurrencyField

    class PickCurrency(forms.Form):
        currency = CurrencyField(codes_only=True)

    first, second = PickCurrency(), PickCurrency()
    assert first.fields["currency"] is not second.fields["currency"]
    assert first.fields["currency"].choices is second.fields["currency"].choices
    first.fields["currency"].choices = [("EUR", "EUR")]
    assert ("USD", "USD") in list(second.fields["currency"].choices)
    assert ("USD", "USD") in list(PickCurrency().fields["currency"].choices)
    assert 'value="JPY"' in str(PickCurrency()["currency"])
    assert PickCurrency({"currency": "BHD"}).is_valid()
    assert not PickCurrency({"currency": "XXZ"}).is_valid()
