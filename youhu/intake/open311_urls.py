from django.urls import re_path

from . import open311

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(rf"^v2/discovery{FMT}", open311.discovery, name="discovery"),
    re_path(rf"^v2/services{FMT}", open311.services, name="services"),
    re_path(rf"^v2/services/(?P<code>[^/.]+){FMT}", open311.service_detail, name="service"),
    re_path(rf"^v2/requests{FMT}", open311.requests_view, name="requests"),
    re_path(rf"^v2/requests/(?P<request_id>[^/]+?){FMT}", open311.request_detail, name="request"),
    re_path(rf"^v2/tokens/(?P<token>[^/]+?){FMT}", open311.token_detail, name="token"),
]
