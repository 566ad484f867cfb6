"""One masked CSRF token per request for every form of a page (colony/csrf.py)."""

from django.middleware.csrf import _unmask_cipher_token, rotate_token
from django.test import RequestFactory

from colony.csrf import page_token


def test_a_request_masks_its_token_once_and_again_after_a_rotation():
    request = RequestFactory().get("/")
    first = page_token(request)
    assert page_token(request) == first
    secret = request.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(first) == secret
    rotate_token(request)  # as a log-in does
    rotated = page_token(request)
    assert rotated != first
    assert _unmask_cipher_token(rotated) == request.META["CSRF_COOKIE"] != secret


def test_two_requests_never_share_a_token():
    factory = RequestFactory()
    assert page_token(factory.get("/")) != page_token(factory.get("/"))
    assert page_token(None) == ""
