FROM python:latest
MAINTAINER Jane Doe <jane.doe@example.com>

ENV PYTHONUNBUFFERED 1
ENV APP_HOME /srv/app

RUN apt-get update
RUN apt-get install -y libpq-dev gcc netcat-openbsd curl build-essential gettext

WORKDIR $APP_HOME
COPY . .
RUN pip install -r requirements.txt
RUN python manage.py collectstatic --noinput

EXPOSE 8000
CMD gunicorn --bind 0.0.0.0:8000 --workers 3 inventory.wsgi:application
