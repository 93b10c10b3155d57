# syntax=docker/dockerfile:1
# Proud to Support in one image: the web server (gunicorn, the default), the
# Celery worker and beat all run from it (see docker-compose.yml).

# --- The stylesheet: GOV.UK Frontend compiled with the council's brand ------------
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ frontend/
RUN mkdir -p static/build && npm run build:css

# --- The application ------------------------------------------------------------------
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=2

# WeasyPrint (letters as PDF) needs Pango and HarfBuzz's subsetter from the
# system, and at least one font to lay text out with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fontconfig \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --uid 10001 --create-home --home-dir /home/proud proud

WORKDIR /app

# The dependencies first, in their own layer: code changes do not reinstall them.
# pyproject.toml declares no importable packages: the code runs from /app.
COPY pyproject.toml ./
RUN pip install .

COPY . .
# settings.py expects GOV.UK Frontend under node_modules/ and the stylesheet in static/build/.
COPY --from=assets /app/node_modules/govuk-frontend/dist node_modules/govuk-frontend/dist
# The letter fonts (recognition/letter_pdf.py): every letter is drawn with these alone.
COPY --from=assets /app/node_modules/@fontsource node_modules/@fontsource
COPY --from=assets /app/static/build static/build

# Fingerprinted, compressed static files for WhiteNoise. The key and host exist
# for this one command only and are never part of the running image.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-by-any-running-site-0123456789 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput \
    && rm -rf /app/var

# The only place the running app writes: uploads, .eml mail, beat's schedule.
# A named volume mounted here starts with this ownership.
RUN mkdir -p /app/var/media /app/var/mail /app/var/celery \
    && chown -R proud:proud /app/var

USER proud

EXPOSE 8000

# /healthz answers 503 when the database or the broker is unreachable. The Host
# header is the first allowed host, so Django accepts the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; host = (os.environ.get('DJANGO_ALLOWED_HOSTS') or 'localhost').split(',')[0].strip().lstrip('.').replace('*', 'localhost') or 'localhost'; urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"

# Workers: WEB_CONCURRENCY (gunicorn reads it). Behind a proxy, set
# FORWARDED_ALLOW_IPS to its address so X-Forwarded-Proto is trusted.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--threads", "4", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
