# Paperboard: one image for the web process (gunicorn) and the Celery worker.
# docker-compose.yml runs both; see .env.example for the settings they need.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media

# psycopg[binary] ships its own libpq, so the image needs no compiler and no system libraries.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app

WORKDIR /app

# Requirements first: the dependency layer is rebuilt only when they change.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt

COPY . .

# Static files are part of the image. The key and mail server below exist only for this build
# step: settings refuse to load with DEBUG off and no key or no mail server, and collectstatic
# needs DEBUG off to write the manifest that whitenoise serves in production. They are never
# used at run time.
# Uploaded dumps live in a volume mounted at /data/media; a new named volume takes the
# ownership of this directory, so the app user can write to it.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-build-key-not-used-at-runtime-0123456789 \
        EMAIL_URL=smtp://localhost:25 \
        python manage.py collectstatic --noinput \
    && chmod 0755 docker/web-entrypoint.sh \
    && mkdir -p /data/media \
    && chown app:app /data/media

# The code stays owned by root: the app can read it, not change it. It writes only to the media
# volume.
USER app

EXPOSE 8000

CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
