# The pmo-graph server with the three first-party tiers.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY . /app
RUN pip install /app /app/plugins/pso /app/plugins/portfolio /app/plugins/pmo \
    && useradd --system --no-create-home pmo
USER pmo
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["pmo-graph", "serve", "--host", "0.0.0.0", "--port", "8000"]
