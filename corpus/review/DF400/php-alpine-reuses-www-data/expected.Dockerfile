FROM php:8.3-cli-alpine
RUN docker-php-ext-install pdo_mysql
WORKDIR /app
COPY --chown=82:82 . .
RUN chown 82:82 /app
USER 82:82
CMD ["php", "bin/worker.php"]
