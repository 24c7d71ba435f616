FROM golang:1.22-alpine3.19
RUN apk add --no-cache git \
    && go install example.com/tool@v1.2.3 \
    && apk del -U git \
    && rm -rf /var/cache/apk/*
