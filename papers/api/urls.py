from rest_framework.routers import SimpleRouter

from papers.api.views import DumpViewSet

router = SimpleRouter()
router.register("dumps", DumpViewSet, basename="dump")

urlpatterns = router.urls
