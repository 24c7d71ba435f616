FROM python:3.12
RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://install.python-poetry.org | python3 -
