# distillguard — developer entry points. `make demo` and `make test` are the two commands in README.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KAFKA := docker/kafka/kafka.sh
export DISTILLGUARD_BOOTSTRAP_SERVERS ?= 127.0.0.1:9092

.PHONY: help install kafka-up kafka-down kafka-status demo test test-unit test-integration chart-check lint format bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; distillguard needs Python 3.11+" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install distillguard (editable) with dev tools

kafka-up: ## start local Apache Kafka (KRaft, 127.0.0.1:9092); idempotent
	@$(KAFKA) up

kafka-down: ## stop the local broker started by kafka-up
	@$(KAFKA) down

kafka-status:
	@$(KAFKA) status

demo: install kafka-up ## end-to-end demo on the embedded scenario
	$(BIN)/distillguard demo

test: install ## the whole suite: lint, types, chart/image checks, unit, integration on real Kafka
	@started=0; \
	if ! $(KAFKA) status >/dev/null 2>&1; then $(KAFKA) up; started=1; fi; \
	trap 'if [ $$started = 1 ]; then $(KAFKA) down; fi' EXIT; \
	$(MAKE) --no-print-directory lint; \
	bash helm/check.sh; \
	$(BIN)/pytest

test-unit: install ## unit tests only (no broker)
	$(BIN)/pytest tests/unit models

chart-check: install ## helm lint/template + kubernetes-validate, hadolint, wheel install check
	bash helm/check.sh

test-integration: install kafka-up ## integration tests only
	$(BIN)/pytest tests/integration

lint: install ## ruff, ruff format --check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy models/distillguard streams/distillguard tests

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## benchmarks; JSON results in .bench/ and a final JSON line
	@started=0; \
	if ! $(KAFKA) status >/dev/null 2>&1; then $(KAFKA) up; started=1; fi; \
	trap 'if [ $$started = 1 ]; then $(KAFKA) down; fi' EXIT; \
	$(BIN)/python -m distillguard.streams.bench --out .bench

clean: ## remove the venv, local Kafka data and caches
	-$(KAFKA) down
	rm -rf $(VENV) .kafka .tools .pytest_cache .mypy_cache .ruff_cache .bench build dist out
