"""Dumps over HTTP: upload a digest file, follow its ingestion. Staff only."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from accounts.authentication import ApiTokenAuthentication
from config.api.schema import ErrorSerializer
from config.middleware import UploadLimits
from papers import selectors
from papers.api.serializers import (
    DumpOutputSerializer,
    DumpUploadInputSerializer,
    DuplicateErrorSerializer,
    dump_absolute_url,
)
from papers.services import DuplicateDump, dump_create

MSG_REQUEST_TOO_LARGE = "The upload is {size} but uploads are limited to {limit}."
MSG_ONE_FILE = "Send one file per request; this one holds {count}."


def may_send_an_upload(request) -> bool:
    """Whether the request comes from an admin (IsAdminUser), by its API token or its
    session: read from the headers and the cookie only, before the body is (HTTP Basic
    would need the password checked a second time, so it uploads only small files)."""
    try:
        authenticated = ApiTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return False
    user = authenticated[0] if authenticated else request.user
    return bool(user and user.is_authenticated and user.is_staff)


class DumpPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


# Staff only: anyone else is answered 401 (not signed in) or 403.
READ_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A bad filter or page size."),
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: OpenApiResponse(ErrorSerializer, description="No such dump, or no such page."),
    429: OpenApiResponse(ErrorSerializer, description="Throttled."),
}


@extend_schema_view(
    list=extend_schema(
        summary="List uploaded dumps",
        responses={200: DumpOutputSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One dump and the state of its ingestion",
        responses={200: DumpOutputSerializer, **READ_ERRORS},
    ),
)
class DumpViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    # Basic first: its WWW-Authenticate header turns "not logged in" into a 401. Programs use
    # a personal token, as everywhere in the API.
    authentication_classes = [BasicAuthentication, ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAdminUser]
    # Uploads beyond REQUEST_MAX_BODY_BYTES, checked before the body is read (a CSRF check of
    # the session would read it all, and spool the file to disk).
    upload_limits = UploadLimits(
        limit=lambda: settings.DUMP_MAX_UPLOAD_BYTES,
        allows=may_send_an_upload,
        message=MSG_REQUEST_TOO_LARGE,
    )
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = DumpOutputSerializer
    pagination_class = DumpPagination
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.dumps_list()

    @extend_schema(
        summary="Upload a digest dump",
        description=(
            "Stores the file and queues its ingestion; follow it at the returned `url`. "
            "Files are limited to the DUMP_MAX_UPLOAD_BYTES setting (256 MB by default)."
        ),
        request={"multipart/form-data": DumpUploadInputSerializer},
        responses={
            202: DumpOutputSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="No file, several files, or a bad date."
            ),
            401: ErrorSerializer,
            403: ErrorSerializer,
            409: OpenApiResponse(DuplicateErrorSerializer, description="Already uploaded."),
            413: OpenApiResponse(ErrorSerializer, description="The file is too large."),
            415: OpenApiResponse(ErrorSerializer, description="The body is not multipart."),
            429: OpenApiResponse(ErrorSerializer, description="Throttled."),
        },
    )
    def create(self, request, *args, **kwargs):
        count = len(request.FILES.getlist("file"))
        if count > 1:  # the serializer would silently keep the last one
            raise ValidationError({"file": [MSG_ONE_FILE.format(count=count)]})
        data = DumpUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        file = data.validated_data["file"]
        try:
            dump = dump_create(
                file=file,
                original_name=file.name,
                uploaded_by=request.user,
                digest_date=data.validated_data.get("date"),
                publish=data.validated_data["publish"],
            )
        except DuplicateDump as exc:
            exc.extra["url"] = dump_absolute_url(dump=exc.existing, request=request)
            raise
        # Read again: with in-process tasks the ingestion may already have run.
        dump = selectors.dump_get(pk=dump.pk) or dump
        body = DumpOutputSerializer(dump, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
