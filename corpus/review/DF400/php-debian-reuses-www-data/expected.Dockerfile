FROM php:8.3-cli
RUN docker-php-ext-install pdo_mysql
WORKDIR /app
COPY --chown=33:33 . .
RUN chown 33:33 /app
USER 33:33
CMD ["php", "bin/worker.php"]
