FROM alpine:3.19
RUN apk add --no-cache wget ca-certificates
RUN wget --progress=dot:giga -O /tmp/jdk.tar.gz https://example.com/jdk-21_linux-x64_bin.tar.gz \
    && tar -xzf /tmp/jdk.tar.gz -C /opt \
    && rm /tmp/jdk.tar.gz
