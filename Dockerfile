FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# pg_dump and pg_restore for `dondoc backup` / `dondoc restore` (Debian 12's 15, as compose's PostgreSQL).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Only the sources the package needs (no .venv, var/ or secrets/ in the image).
COPY pyproject.toml README.md /src/
COPY tasks /src/tasks
COPY notify /src/notify
COPY web /src/web
COPY migrations /src/migrations
RUN pip install /src \
    && rm -rf /src \
    && useradd --system --create-home --uid 10001 dondoc \
    && mkdir -p /app/var \
    && chown -R dondoc:dondoc /app

WORKDIR /app
USER dondoc
EXPOSE 8000
CMD ["dondoc", "serve", "--host", "0.0.0.0", "--port", "8000"]
