# One image for the worker, the API and the one-shot Temporal set-up (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The pinned runtime dependencies get their own layer, so a code change does not reinstall them.
# They are read from pyproject.toml (not constraints.txt, which also pins the dev tools).
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && pip install -c constraints.txt -r requirements.txt

# Only what runs in production is copied (no tests, benchmarks or the Webex emulator); the code runs
# from /app (PYTHONPATH) rather than being installed, so the templates sit where the code expects.
COPY *.py ./
COPY core/ core/
COPY domain/ domain/
COPY store/ store/
COPY workflows/ workflows/
COPY activities/ activities/
COPY integrations/ integrations/
COPY http_api/ http_api/
COPY templates/ templates/
COPY devstack/ devstack/

RUN useradd --system --uid 10001 --home-dir /app tichet
USER tichet

EXPOSE 8000
CMD ["python", "-m", "worker"]
