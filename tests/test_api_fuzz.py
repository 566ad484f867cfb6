"""Every API write endpoint, fed hostile JSON: never a 500, always the error envelope for a
refusal, and never a JSON float in any answer (money is a string, always).

The operations and their body schemas come from the API walker (tests/apiwalk.py), so a new
write endpoint is fuzzed as soon as it exists. Hypothesis replaces a few fields of a valid body
per example with floats, NaN, huge numbers, hostile text, wrong types, other households' ids,
nothing at all, or sends a body that is not an object.
"""

from __future__ import annotations

import json
import traceback
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import api_client
from tests.apiwalk import _resolve, body_schema, scoped_operations, url_for, valid_body
from tests.test_fuzz_forms import BAD_IDS, HOSTILE
from tests.urlwalk import build_household, household_snapshot

pytestmark = pytest.mark.django_db

OMIT = object()
# Every field at once set to each of these, before hypothesis mixes them.
EXTREMES = [
    "a\x00b",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "1e309",
    "NaN",
    "-0",
    "",
    1e308,
    -(2**63),
    2**64,
    0,
    True,
    None,
    [],
    {},
]
JUNK_FIELDS = ["household", "household_id", "id", "cycle", "created_by", "status", "base_amount"]


def write_operations():
    return [op for op in scoped_operations() if op.is_write]


def _no_floats(text: str):
    raise AssertionError(f"a JSON float in an answer: {text}")


def send(client, op, url, body):
    payload = body if isinstance(body, str) else json.dumps(body)
    try:
        response = client.generic(op.method, url, payload, content_type="application/json")
    except Exception:
        raise AssertionError(
            f"500 on {op} with {payload[:500]!r}\n{traceback.format_exc()}"
        ) from None
    assert response.status_code < 500, (str(op), response.status_code, payload[:500])
    if response.content:
        answer = json.loads(response.content, parse_float=_no_floats)
        if response.status_code >= 400:
            assert answer["success"] is False and answer["error"]["code"], answer
    return response


def hostile_value(foreign_ids):
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(BAD_IDS).map(lambda v: int(v) if v.lstrip("-").isdigit() else v),
        st.sampled_from(foreign_ids),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
        st.booleans(),
        st.none(),
        st.just(OMIT),
        st.lists(st.sampled_from(HOSTILE[:6]), max_size=3),
        st.dictionaries(st.sampled_from(["a", "$ref", "__proto__"]), st.integers(), max_size=2),
    )


@pytest.fixture
def setup(db):
    world = build_household("Fuzzed")
    foreign = build_household("Foreign")
    return world, foreign, api_client(world.owner)


@pytest.mark.parametrize("op", write_operations(), ids=str)
def test_write_endpoint_never_fails_on_hostile_json(op, setup):
    world, foreign, client = setup
    url = url_for(op, world)
    schema = body_schema(op)
    valid = valid_body(schema, world, day=world.objects["cycle"].start_date) if schema else {}
    names = sorted((schema or {}).get("properties", {})) + JUNK_FIELDS
    foreign_ids = [obj.pk for key, obj in foreign.objects.items() if hasattr(obj, "pk")]
    foreign_before = household_snapshot(foreign)

    for body in ("", "{", "[]", "null", "1e999", '"x"'):
        send(client, op, url, body)
    properties = sorted((schema or {}).get("properties", {}))
    for extreme in EXTREMES:
        send(client, op, url, {**valid, **dict.fromkeys(names, extreme)})
    for extreme in ("a\x00b", 1e308, None, {}):
        for name in properties:  # one field at a time, the others valid
            send(client, op, url, {**valid, name: extreme})

    @settings(
        max_examples=25 if schema else 5,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def fuzz(data):
        mutated = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=4), "fields")
        body = dict(valid)
        for name in sorted(mutated):
            value = data.draw(hostile_value(foreign_ids), name)
            if value is OMIT:
                body.pop(name, None)
            else:
                body[name] = value
        send(client, op, url_for(op, world), body)

    fuzz()
    assert household_snapshot(foreign) == foreign_before, f"{op} changed another household"


def test_money_never_passes_through_a_float():
    from pydantic import TypeAdapter, ValidationError

    from colony.api_schemas import MoneyIn, money

    money_in = TypeAdapter(MoneyIn)
    for number in (0.1, 12.5, 1, float("nan")):
        with pytest.raises(ValidationError):
            money_in.validate_python(number)
    # The schema's anchored pattern, exactly: no spaces around, more than zero.
    for text in ("NaN", "1e3", "Infinity", "1_000", "12,50", "", "1" * 16, " 0.10 ", "0", "-1"):
        with pytest.raises(ValidationError):
            money_in.validate_python(text)
    assert str(money_in.validate_python("0.10")) == "0.10"
    assert money(Decimal("1850.000"), "JPY") == "1850"
    assert money(Decimal("1.005"), "BHD") == "1.005"
    assert money(Decimal("12.500"), "USD") == "12.50"
    assert money(Decimal("-0.000"), "USD") == "0.00"


def _is_text(schema: dict) -> bool:
    schema = _resolve(schema)
    options = schema.get("anyOf", [schema])
    return any(_resolve(option).get("type") == "string" for option in options)


@pytest.mark.parametrize("op", [op for op in write_operations() if body_schema(op)], ids=str)
def test_a_lone_surrogate_in_any_text_field_is_refused_with_422(op, setup):
    """JSON can escape half a surrogate pair; UTF-8 (and so PostgreSQL) cannot hold it."""
    world, _, client = setup
    schema = body_schema(op)
    valid = valid_body(schema, world, day=world.objects["cycle"].start_date)
    texts = [name for name, prop in schema.get("properties", {}).items() if _is_text(prop)]
    for name in texts:
        payload = json.dumps({**valid, name: "ok \ud800"})  # ASCII JSON: "ok \\ud800"
        response = send(client, op, url_for(op, world), payload)
        assert response.status_code == 422, (str(op), name, response.content)
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
