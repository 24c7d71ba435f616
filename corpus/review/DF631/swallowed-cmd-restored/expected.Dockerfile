FROM php:5.6-fpm
RUN apt-get update \
    && apt-get install -y zlib1g-dev libicu-dev g++ \
    && docker-php-ext-install intl \
    && cd /tmp
CMD ["/usr/local/sbin/php-fpm", "--nodaemonize"]

RUN pecl install xdebug-2.5.5
