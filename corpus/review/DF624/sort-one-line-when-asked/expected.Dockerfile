FROM debian:bookworm

ARG EXTRA_PACKAGES
RUN apt-get update && apt-get install -y curl wget $EXTRA_PACKAGES git unzip && rm -rf /var/lib/apt/lists/*
