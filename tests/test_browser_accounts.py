import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_in_land_on_dashboard_log_out_and_back_in(browser_page, tmp_path):
    page = browser_page
    page.goto("/accounts/signup/")
    page.fill("#id_first_name", "Grace")
    page.fill("#id_email", "grace@example.com")
    page.fill("#id_password1", "amber-falcon-river")
    page.fill("#id_password2", "amber-falcon-river")
    page.fill("#id_household_name", "Hopper house")
    page.select_option("#id_base_currency", "EUR")
    page.click("button[type=submit]")

    # Sign-up answers alike for taken addresses (an email tells the rest): log in next.
    page.wait_for_url("**/accounts/login/")
    assert "We sent an email to that address" in page.content()
    page.fill("#id_username", "grace@example.com")
    page.fill("#id_password", "amber-falcon-river")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("h1").first.inner_text() == "Hopper house"
    page.screenshot(path=str(tmp_path / "dashboard.png"))

    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")
    assert "You are logged out." in page.content()

    page.fill("#id_username", "grace@example.com")
    page.fill("#id_password", "amber-falcon-river")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert "Welcome, Grace." in page.content()


def test_copy_the_new_api_token_and_hear_copied(browser_page):
    from accounts.models import ApiToken
    from accounts.tests.factories import TEST_PASSWORD, HouseholdFactory, make_owner

    owner = make_owner(HouseholdFactory(name="Token house"), email="tokens@example.com")
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/accounts/login/?next=/accounts/api-tokens/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#id_name")
    page.fill("#id_name", "Spreadsheet")
    page.click("button:text('Create token')")
    button = page.locator("button[data-copy='new-api-token']")
    button.wait_for()  # shown by the script: hidden in the markup
    secret = page.input_value("#new-api-token")
    assert secret.startswith("colony_")
    assert ApiToken.objects.get(user=owner, name="Spreadsheet").prefix in secret

    button.click()
    page.locator("#new-api-token-copied:text('Copied')").wait_for()
    assert button.inner_text() == "Copied"
    assert page.get_attribute("#new-api-token-copied", "role") == "status"
    assert page.evaluate("navigator.clipboard.readText()") == secret
