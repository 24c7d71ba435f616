FROM alpine:3.18

RUN apk --no-cache upgrade && \
    apk --no-cache add ca-certificates python3 git
