FROM python:3.11-slim
RUN apt-get update \
    && apt-get install --no-install-recommends -y gcc libc6-dev \
    && pip install --no-cache-dir psycopg2==2.9.9 \
    && apt-get purge -y gcc \
    && rm -rf /var/lib/apt/lists/*
