import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
application = get_wsgi_application()

# Load every view (and the classifier libraries behind them) at worker start, not on the first request.
import youhu.urls  # noqa: E402,F401
