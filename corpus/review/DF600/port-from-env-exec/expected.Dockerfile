FROM python:3.12-slim
WORKDIR /srv
COPY . .
ENV PORT=8000
CMD exec gunicorn --bind 0.0.0.0:$PORT --workers 4 app:app
