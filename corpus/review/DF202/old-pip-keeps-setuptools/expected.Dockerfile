FROM ubuntu:18.04
RUN apt-get update && apt-get install --no-install-recommends -y python-pip python-dev libpq-dev python-setuptools build-essential
COPY requirements.txt /app/
RUN pip install -r /app/requirements.txt
