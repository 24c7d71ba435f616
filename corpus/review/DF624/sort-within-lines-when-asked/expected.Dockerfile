FROM debian:bookworm

RUN apt-get update && apt-get install -y \
        python3 python3-dev python3-pip \
        libxml2-dev libxslt1-dev \
        curl \
    && rm -rf /var/lib/apt/lists/*
