import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colony.settings.production")

application = get_wsgi_application()

# Every API request is held to the API's OpenAPI description (colony.api_contract): built
# here, as the worker starts, so no client's first request waits for it.
from colony import api_contract  # noqa: E402
from colony.api import api  # noqa: E402

api_contract.prepare(api)
