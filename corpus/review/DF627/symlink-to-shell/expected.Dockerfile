FROM ubuntu:18.04

SHELL ["/bin/bash", "-c"]

RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN source /etc/os-release && echo "$VERSION_ID" > /etc/release-id
