FROM debian:12-slim
ARG APP_UID=100000001
RUN groupadd --gid "${APP_UID}" app \
    && useradd --no-log-init --uid "${APP_UID}" --gid app --create-home --shell /usr/sbin/nologin app
USER app
