FROM openjdk:8-jre-slim
ARG brooklin_version=1.0.2

ENV BROOKLIN_VERSION=$brooklin_version \
    BROOKLIN_HOME=/opt/brooklin
ENV BROOKLIN_CONFIG=$BROOKLIN_HOME/config \
    BROOKLIN_LOGS=/var/log/brooklin

WORKDIR $BROOKLIN_HOME
