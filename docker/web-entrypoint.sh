#!/bin/sh
# The web container: bring the schema up to date, then serve. Migrations run here, before
# gunicorn, so the worker (which waits for web to be healthy) never meets an old schema.
# With several web replicas, run migrations as a separate one-off step instead.
set -eu

python manage.py migrate --noinput

exec gunicorn --config config/gunicorn.py config.wsgi:application
