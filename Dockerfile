# Facilities — production image: slim Python with Pango (WeasyPrint), non-root, healthcheck.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    FACILITIES_VAR_DIR=/var/lib/facilities

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /home/facilities --uid 10001 facilities \
 && mkdir -p /var/lib/facilities && chown facilities /var/lib/facilities

WORKDIR /app
COPY pyproject.toml README.md ./
COPY facilities ./facilities
RUN pip install --no-compile . && rm -rf /root/.cache

USER facilities
EXPOSE 8000
VOLUME ["/var/lib/facilities"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/health/ready || exit 1

# Migrations run first (serialised across replicas by an advisory lock), then the server.
CMD ["sh", "-c", "facilities migrate && exec facilities serve --host 0.0.0.0 --port 8000 --no-migrate"]
