FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /srv/app
COPY requirements.txt constraints.txt ./
COPY requirements/base.txt ./requirements/
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python manage.py collectstatic --noinput
CMD ["gunicorn", "app.wsgi"]
