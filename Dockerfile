# Production image for Foodvalley Monitor: web (gunicorn), Celery worker and beat share it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_ENV=production STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media PRIVATE_MEDIA_ROOT=/data/private

# WeasyPrint (the quarterly PDF) needs pango; the report uses the DejaVu fonts
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs no real secrets; translations (.mo) are committed compiled
RUN SECRET_KEY=build-only BSN_HASH_KEY=build-only python manage.py collectstatic --noinput -v0 \
    && useradd --create-home --uid 1000 app && mkdir -p /data/media /data/private && chown -R app /data

USER app
EXPOSE 8000
CMD ["gunicorn", "foodvalley.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
