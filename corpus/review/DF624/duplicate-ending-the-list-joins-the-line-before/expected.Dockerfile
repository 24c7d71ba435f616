FROM ubuntu:20.04

RUN apt-get update && apt-get install -y \
    python3 python3-pip \
    git curl && \
    rm -rf /var/lib/apt/lists/*
