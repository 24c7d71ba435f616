FROM ubuntu:22.04

RUN apt-get update && apt-get install -y --no-install-recommends \
    # toolchain
    cmake \
    g++ \
    make \
    # libraries the extension links against
    libffi-dev \
    libpq-dev \
    libxml2-dev \
    # run time
    ca-certificates \
    tini \
 && rm -rf /var/lib/apt/lists/*
