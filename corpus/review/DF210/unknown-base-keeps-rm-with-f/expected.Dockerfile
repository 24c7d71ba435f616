FROM registry.example.com/platform/alpine-base:2
RUN apk add --no-cache openssl && rm -f /var/cache/apk/*
