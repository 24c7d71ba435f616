FROM python:3.6-alpine3.7

RUN apk add --no-cache --virtual .run-deps postgresql postgresql-libs openssl shadow sudo su-exec bash
RUN apk add --no-cache --virtual .build-deps gcc musl-dev openssl postgresql-dev \
 && pip3 --no-cache-dir install psycopg2 \
 && apk del .build-deps
