# YRD Legal Link. `make run` and `make test` set up everything a fresh machine needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA_LIBS := .cache/kafka/libs
PY_STAMP := $(VENV)/.installed
KAFKA_STAMP := $(KAFKA_LIBS)/.fetched
MIRROR_LIBS := .cache/kafka/mirror
MIRROR_STAMP := $(MIRROR_LIBS)/.fetched
ZONE_STATE := .cache/kafka/zone
KEYS := .cache/keys/tls/wujiang-procuratorate.pem  # the last of the development keys and certificates `yrd keys init` makes
JMX_EXPORTER := io.prometheus.jmx:jmx_prometheus_javaagent:1.0.1
KAFKA_AGENT := .cache/kafka/agent/jmx_prometheus_javaagent-1.0.1.jar
PROMETHEUS := /usr/bin/prometheus
KEYCLOAK_VERSION := 26.5.6
KEYCLOAK := .cache/keycloak/keycloak-$(KEYCLOAK_VERSION)/.built
ALERTMANAGER := /usr/bin/prometheus-alertmanager
POSTGRES := .cache/postgres.installed
PG_DATA := var/pg
PG_PORT := 5433
# The project cluster's database, as YRD_STORE_URL names it.
PG_URL := postgresql://yrd@127.0.0.1:$(PG_PORT)/yrd
BROWSER := .cache/browser.installed
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-cjk
CONSOLE_ASSETS := deploy/console/node_modules/.package-lock.json
DESK_ASSETS := deploy/desk/node_modules/.package-lock.json
API_DOCS_ASSETS := deploy/api-docs/node_modules/.package-lock.json
ASYNCAPI_SCHEMA := tests/asyncapi/node_modules/.package-lock.json
PYTEST_ARGS ?=

.PHONY: setup lock broker idp pg pg-stop topics run run-pg run-zone stop test test-suite test-zone test-isolation unit lint format bench \
	schemas clean help

help:
	@echo "make setup | run | run-zone | stop | test | test-zone | test-isolation | unit | lint | format | bench"
	@echo "     schemas | pg | pg-stop | clean"

setup: $(PY_STAMP) $(KAFKA_STAMP) $(MIRROR_STAMP) $(KAFKA_AGENT) $(KEYS) $(PROMETHEUS) $(ALERTMANAGER) $(POSTGRES) $(CONSOLE_ASSETS) $(DESK_ASSETS) \
	$(API_DOCS_ASSETS) $(ASYNCAPI_SCHEMA) $(BROWSER) $(KEYCLOAK)

# Exactly what requirements.lock names (hashes checked), then this checkout's two packages on top without
# resolving again; `pip check` fails if a pyproject asks for what the lock lacks (then `make lock`).
$(PY_STAMP): requirements.lock pyproject.toml clients/python/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e ".[dev,digest]" -e "clients/python[kafka]"
	$(BIN)/pip check -q
	@touch $@

# Rewrites requirements.lock from both pyprojects and every extra (after changing a dependency).
lock: $(PY_STAMP)
	$(BIN)/uv pip compile pyproject.toml clients/python/pyproject.toml --all-extras --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" -o requirements.lock --quiet

# A pom's runtime dependencies, copied from Maven Central into a folder (nothing is built): $(call jars,POM,DIR)
define jars
	rm -rf $(2)
	mvn -q -B -f $(1) dependency:copy-dependencies -DoutputDirectory=$(CURDIR)/$(2) -DincludeScope=runtime
	@touch $@
endef

$(KAFKA_STAMP): deploy/kafka/pom.xml
	@command -v mvn >/dev/null || { echo "mvn is needed to fetch the Kafka broker from Maven Central"; exit 1; }
	@command -v java >/dev/null || { echo "java (17+) is needed to run the Kafka broker"; exit 1; }
	$(call jars,$<,$(KAFKA_LIBS))

# MirrorMaker 2 (connect-mirror, the broker's version) for the three-cluster zone.
$(MIRROR_STAMP): deploy/mirror/pom.xml
	$(call jars,$<,$(MIRROR_LIBS))

# The broker's metrics exporter (a java agent), fetched from Maven Central like the broker.
$(KAFKA_AGENT):
	mvn -q -B dependency:copy -Dartifact=$(JMX_EXPORTER) -DoutputDirectory=$(CURDIR)/$(dir $(KAFKA_AGENT))

# Prometheus and promtool from Debian's packages (the package's own service is not used: `make run`
# starts Prometheus with this project's configuration).
$(PROMETHEUS):
	@command -v apt-get >/dev/null || { echo "install Prometheus (Debian package 'prometheus')"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null

# Alertmanager and amtool from Debian's packages (its own service is not used either: `make run` starts it
# on 127.0.0.1:9095 with deploy/alertmanager; the suite checks its routes with amtool).
$(ALERTMANAGER):
	@command -v apt-get >/dev/null || { echo "install Alertmanager (Debian package 'prometheus-alertmanager')"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null
	@# The package's own service would listen on 9093, the Kafka controller's port: never let it run.
	@if [ -d /run/systemd/system ]; then systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true; fi

# PostgreSQL from Debian's packages, for the PostgreSQL store. The package's own cluster and service are not
# used (stopped when this installs it): deploy/postgres runs the project's own cluster, and the tests theirs.
$(POSTGRES):
	@mkdir -p $(dir $@)
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
		command -v apt-get >/dev/null || { echo "install PostgreSQL (Debian package 'postgresql')"; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || exit 1; \
		if [ -d /run/systemd/system ]; then systemctl disable --now postgresql >/dev/null 2>&1; \
		else service postgresql stop >/dev/null 2>&1; fi || true; }
	@touch $@

# Keycloak, the identity provider of development and tests (one realm per region): its quarkus distribution
# from Maven Central, unpacked and built once (deploy/keycloak/build.sh); the development trust file then names
# its realms (`yrd keys init` adds them to a trust file made before).
$(KEYCLOAK): | $(KEYS)  # order-only: never rebuilt under a running server because keys changed
	mvn -q -B dependency:copy -Dartifact=org.keycloak:keycloak-quarkus-dist:$(KEYCLOAK_VERSION):zip \
		-DoutputDirectory=$(CURDIR)/.cache/keycloak
	bash deploy/keycloak/build.sh $(KEYCLOAK_VERSION)
	$(BIN)/yrd keys init
	@touch $@

# Chromium, its driver and CJK fonts from Debian's packages: the browser tests of the operations page.
$(BROWSER):
	@mkdir -p $(dir $@)
	@dpkg -s $(BROWSER_PACKAGES) >/dev/null 2>&1 || { \
		command -v apt-get >/dev/null || { echo "install Debian's $(BROWSER_PACKAGES)"; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; }
	@touch $@

# The operations page's assets (ECharts), pinned by package-lock.json and served locally.
$(CONSOLE_ASSETS): deploy/console/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to fetch the console's page assets"; exit 1; }
	npm ci --prefix deploy/console --silent --no-audit --no-fund

$(DESK_ASSETS): deploy/desk/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to fetch the desk's page assets"; exit 1; }
	npm ci --prefix deploy/desk --silent --no-audit --no-fund

# Swagger UI and ReDoc for every instance's /docs and /redoc, pinned and served locally (no CDN on an intranet).
$(API_DOCS_ASSETS): deploy/api-docs/package-lock.json
	npm ci --prefix deploy/api-docs --silent --no-audit --no-fund

# The official AsyncAPI 3.0 JSON Schema (@asyncapi/specs), pinned, which the tests validate the documents with.
$(ASYNCAPI_SCHEMA): tests/asyncapi/package-lock.json
	npm ci --prefix tests/asyncapi --silent --no-audit --no-fund

$(KEYS): $(PY_STAMP)
	$(BIN)/yrd keys init

# Starts the local broker unless KAFKA_BOOTSTRAP points at an existing cluster; then provisions topics.
broker: setup
	@if [ -z "$$KAFKA_BOOTSTRAP" ]; then bash deploy/kafka/start.sh; else echo "kafka: using $$KAFKA_BOOTSTRAP"; fi
	@# principals catalogued after the local broker's storage was formatted (agencies) get their credentials
	@if [ -z "$$KAFKA_BOOTSTRAP" ]; then $(BIN)/python -m shared.adapters.kafka.scram; fi
	@$(BIN)/yrd topics create

# The identity provider on 127.0.0.1:8080 (storage in var/keycloak), started unless it answers.
idp: setup
	@bash deploy/keycloak/start.sh

# The project's own PostgreSQL cluster on 127.0.0.1:5433 (data and logs in var/pg; started unless it runs).
pg: $(POSTGRES)
	@bash deploy/postgres/start.sh $(PG_DATA) $(PG_PORT)

pg-stop:
	@bash deploy/postgres/stop.sh $(PG_DATA)

# The identity provider starts beside the instances (they fetch its keys only when a token of it arrives).
run: broker
	@bash deploy/keycloak/start.sh & $(BIN)/yrd run-all

# The whole system with every instance's store on the project's PostgreSQL cluster (`make pg`), each in its own
# schema; `make run-pg PROCESSES=2` serves each instance with two processes.
PROCESSES ?= 1
run-pg: broker pg
	@bash deploy/keycloak/start.sh & $(BIN)/yrd run-all --store-url $(PG_URL) --processes $(PROCESSES)

# Each region on its own Kafka cluster, MirrorMaker 2 between them (instead of `make run`, on the same ports).
run-zone: setup
	$(BIN)/yrd zone up
	$(BIN)/yrd run-all --zone

stop:
	@test -x $(BIN)/yrd && $(BIN)/yrd stop || true
	@bash deploy/kafka/stop.sh
	@bash deploy/keycloak/stop.sh
	@bash deploy/postgres/stop.sh $(PG_DATA)
	@if [ -d $(ZONE_STATE) ]; then $(BIN)/yrd zone down; fi

# Everything: the suite on the single broker, then the three-cluster zone's partition and crash tests.
test: ZONE := -m "zone or not zone"
test: setup test-suite

# Every tier on both cores (pytest-xdist): unit and flows, then the flows again with every store in the tests'
# own PostgreSQL cluster, then the integration and end-to-end tiers (each worker with ports of its own,
# tests/instances.py), with `make test` the zone's tests among them (ZONE): its processes wait on timers and
# on each other much of the time, and the other worker's tests fill that. A test file's tests stay on one
# worker (loadfile): those that listen on a fixed port, and the fixtures a module shares, are not made twice;
# files sharing a costly fixture share a worker, and the longest units go first (tests/conftest.py). A part
# that PYTEST_ARGS (options such as -k, not paths) leaves without a test (pytest's exit status 5) is no failure.
XDIST := -n 2 --dist loadfile
test-suite: broker
	$(BIN)/pytest $(XDIST) tests/unit tests/flows $(PYTEST_ARGS) || [ $$? -eq 5 ]
	YRD_TEST_STORE=postgresql $(BIN)/pytest $(XDIST) tests/flows $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest $(XDIST) --ignore=tests/unit --ignore=tests/flows $(ZONE) $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Three clusters, links and MirrorMakers of the test's own (ports offset by 10000): partition, heal, kill -9.
test-zone: setup
	$(BIN)/pytest tests/zone -m zone $(PYTEST_ARGS)

# The whole suite beside a running `make run` system, which must stay healthy throughout (CI runs this).
test-isolation: broker
	$(BIN)/python -m tests.isolation $(MAKE) test

unit: $(PY_STAMP) $(ASYNCAPI_SCHEMA) $(API_DOCS_ASSETS)
	$(BIN)/pytest $(XDIST) tests/unit tests/flows $(PYTEST_ARGS)

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(PY_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: broker
	@command -v hey >/dev/null || { apt-get update -qq && apt-get install -y -qq hey; }
	$(BIN)/python -m bench

schemas: $(PY_STAMP)
	$(BIN)/yrd schemas --out docs/schemas

clean: stop
	rm -rf var .cache/kafka/run
