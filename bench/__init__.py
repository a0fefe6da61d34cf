"""Benchmarks (`make bench`): the roster, the province-year report and the region's pages. A package so that the
region benchmark's settings and URLconf (bench.settings, bench.urls) can be named by gunicorn."""
