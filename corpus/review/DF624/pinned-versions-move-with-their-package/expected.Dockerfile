FROM debian:bookworm

RUN apt-get update && apt-get install -y --no-install-recommends \
        ca-certificates=20230311 \
        curl=7.88.1-10+deb12u5 \
        git=1:2.39.2-1.1 \
    && rm -rf /var/lib/apt/lists/*

RUN pip install \
        redis==4.6.0 \
        celery==5.3.1 \
        celery==5.2.7
