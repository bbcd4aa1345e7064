# Two commands for a fresh machine: `make run` and `make test` (`make dev` for developers).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run dev demo test install migrate seed lint check-deploy worker beat clean messages

$(STAMP): requirements/base.txt requirements/dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	@touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load the demo data and serve it as a user meets it on
## http://127.0.0.1:$(PORT): DEBUG off, the site's own error pages, static files served by the app
run: demo
	DEBUG=false $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

## make dev: the same data, with DEBUG on (Django's error pages) and reload on every change
dev: demo
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo

## make test: install, start throwaway PostgreSQL (and Redis) servers, run the whole suite
test: install
	bash scripts/test.sh

lint: install
	$(BIN)/ruff check .

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

## make messages: refresh the English catalog from the code and compile it
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=$(VENV) --ignore=staticfiles --ignore=tests --ignore=benchmarks
	$(BIN)/python manage.py compilemessages -l en

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
