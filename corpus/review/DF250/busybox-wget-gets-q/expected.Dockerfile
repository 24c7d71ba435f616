FROM alpine:3.19
ARG TINI_VERSION=0.19.0
# BusyBox's wget: --progress would be an unknown option and fail the build
RUN wget -q -O /sbin/tini https://github.com/krallin/tini/releases/download/v${TINI_VERSION}/tini-static-amd64 \
    && chmod +x /sbin/tini
