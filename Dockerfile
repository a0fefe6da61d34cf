# Mediazione: the production image (gunicorn), also used by the Celery worker and beat in docker-compose.yml.
#
#   docker build -t mediazione .
#
# Front-end assets come from npm in a first stage (package-lock.json, no CDN) so that the final image carries no
# Node.js; only the two folders settings.STATICFILES_DIRS reads are copied over.

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
# axe-core is a devDependency (accessibility tests only): not needed in production.
RUN npm ci --omit=dev --no-audit --no-fund


FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext compiles the translations; Pango, HarfBuzz and the fonts are what WeasyPrint needs to draw PDFs
# (DejaVu and Noto shape Arabic and other scripts of the families the portal serves; Noto CJK draws the guide's
# Chinese booklets).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements-pip.txt requirements.txt ./
RUN pip install --require-hashes -r requirements-pip.txt && pip install --require-hashes -r requirements.txt

COPY --from=assets /build/node_modules/bootstrap-italia/dist ./node_modules/bootstrap-italia/dist
COPY --from=assets /build/node_modules/htmx.org/dist ./node_modules/htmx.org/dist
COPY . .

# collectstatic runs with DEBUG off (hashed, compressed files for whitenoise), so settings want a SECRET_KEY:
# a throwaway one that exists only during this step and is not kept in the image.
RUN SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=node_modules

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin mediazione \
    && mkdir -p /app/var/media \
    && chown -R mediazione:mediazione /app/var
USER mediazione

EXPOSE 8000
CMD ["gunicorn", "mediazione.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
