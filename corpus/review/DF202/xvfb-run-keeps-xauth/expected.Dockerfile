FROM debian:12
RUN apt-get update && apt-get install --no-install-recommends -y xvfb firefox-esr xauth && rm -rf /var/lib/apt/lists/*
COPY tests /tests
CMD ["xvfb-run", "-a", "python3", "/tests/run.py"]
