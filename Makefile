# Two entry points do all set-up: `make run` (the main job on the bundled input) and `make test`.
VENV ?= .venv
PYTHON ?= python3
DATA_DIR ?= ../shared/data
OUT ?= out
BIN := $(VENV)/bin
STAMP := $(VENV)/.propwatch-installed

.PHONY: run test test-fast lint browser bench train evaluate clean

# torch is named in the same pip command as the project so pip takes the local CPU wheel (2.13.0)
# instead of resolving a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "torch==2.13.0" -e ".[dev,ray]"
	touch $(STAMP)

# The bundled default input: the seed article and the example articles the project ships.
run: $(STAMP)
	$(BIN)/propwatch analyze corpus/seed/*.txt corpus/examples/articles.jsonl -o $(OUT)/analysis --no-progress
	@echo "open $(OUT)/analysis/report.html"

lint: $(STAMP)
	$(BIN)/ruff check .

# The report page is tested in a real browser: Debian's chromium, installed when missing and root.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: browser tests will be skipped (apt-get install chromium)"; fi; }

test: lint browser
	PROPWATCH_DATA_DIR=$(DATA_DIR) $(BIN)/pytest -q

test-fast: lint
	PROPWATCH_DATA_DIR=$(DATA_DIR) $(BIN)/pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/segment_ptc.py --data-dir $(DATA_DIR)
	$(BIN)/python benchmarks/parse_speed.py --data-dir $(DATA_DIR)
	$(BIN)/python benchmarks/voice_polnear.py --data-dir $(DATA_DIR)
	$(BIN)/python benchmarks/rhetoric_results.py --data-dir $(DATA_DIR)
	$(BIN)/python benchmarks/rhetoric_speed.py --data-dir $(DATA_DIR)
	$(BIN)/python benchmarks/throughput.py --data-dir $(DATA_DIR)

# Retrain every shipped model from its config (about 50 minutes on 2 cores, mostly the transformers).
train: $(STAMP)
	nice -n 10 $(BIN)/propwatch voice-train --config configs/voice_attribution.toml --data-dir $(DATA_DIR) -o models/voice-attribution
	nice -n 10 $(BIN)/propwatch train configs/tfidf_linear.toml -o models/tfidf_linear --data-dir $(DATA_DIR) --quiet
	nice -n 10 $(BIN)/propwatch train configs/tfidf_linear_sentence.toml -o models/tfidf_linear_sentence --data-dir $(DATA_DIR) --quiet
	nice -n 10 $(BIN)/propwatch train configs/tfidf_linear_sentence_nk.toml -o models/tfidf_linear_sentence_nk --data-dir $(DATA_DIR) --quiet
	nice -n 10 $(BIN)/propwatch train configs/transformer.toml -o models/transformer --data-dir $(DATA_DIR)
	nice -n 10 $(BIN)/propwatch train configs/transformer_sentence.toml -o models/transformer_sentence --data-dir $(DATA_DIR)
	$(BIN)/python benchmarks/rhetoric_results.py --data-dir $(DATA_DIR)

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
