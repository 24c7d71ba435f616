FROM python:3.11-alpine
RUN apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev && \
    pip install --no-cache-dir psycopg2==2.9.9 && \
    apk del .build-deps
