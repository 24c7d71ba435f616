FROM php:5.6-fpm

RUN apt-get update \
    && apt-get install -y libxml2-dev zlib1g-dev \
    && docker-php-ext-install soap zip \
    && cd /tmp \
    && rm -rf /var/lib/apt/lists/*
CMD ["/usr/local/sbin/php-fpm", "--nodaemonize"]
