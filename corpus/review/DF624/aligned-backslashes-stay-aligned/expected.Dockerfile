FROM ubuntu:16.04

RUN apt-get -qq update                           && \
    apt-get -qq install --no-install-recommends -y \
        "build-essential"            \
        "git"                        \
        "liblapack-dev"              \
        "libopenblas-dev"            \
        "pkg-config"                 \
        "wget"                    && \
    rm -rf /var/lib/apt/lists/*
