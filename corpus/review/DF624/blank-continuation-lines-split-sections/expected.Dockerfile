FROM alpine:3.18

RUN set -ex && \
    apk add --no-cache \

        # Base packages
        ca-certificates \
        openssl \
        pcre \
        tar \
        zlib \

        # Temp packages
        autoconf \
        build-base \
        libtool \
        openssl-dev && \

    echo done
