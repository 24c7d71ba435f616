# syntax=docker/dockerfile:1
ARG REGISTRY=docker.io
ARG TAG
FROM $REGISTRY/library/python:$TAG
COPY . /app
